//go:build amd64 && !purego

#include "textflag.h"

// func unpack64VBMI(dst *[64]uint32, src *uint64, t *unpackTables, w int)
TEXT ·unpack64VBMI(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ t+16(FP), DX
	MOVQ w+24(FP), BX
	PREFETCHT0 4096(SI)          // the column's bytes 4 KiB ahead (at most 200 bytes a block)
	PREFETCHT0 4160(SI)
	PREFETCHT0 4224(SI)
	PREFETCHT0 4288(SI)
	VMOVDQU64 0(DX), Z2          // byte permutation
	VMOVDQU32 64(DX), Z3         // shifts
	// mask of w low bits in every dword
	MOVQ BX, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	VPBROADCASTD AX, Z4
	// load mask: 2w+3 bytes
	LEAQ 3(BX)(BX*1), CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVQ AX, K1
	ADDQ BX, BX                  // 2w: bytes per group of 16 codes

	VMOVDQU8.Z (SI), K1, Z0
	VPERMB     Z0, Z2, Z1
	VPSRLVD    Z3, Z1, Z1
	VPANDD     Z4, Z1, Z1
	VMOVDQU32  Z1, 0(DI)
	ADDQ       BX, SI

	VMOVDQU8.Z (SI), K1, Z0
	VPERMB     Z0, Z2, Z1
	VPSRLVD    Z3, Z1, Z1
	VPANDD     Z4, Z1, Z1
	VMOVDQU32  Z1, 64(DI)
	ADDQ       BX, SI

	VMOVDQU8.Z (SI), K1, Z0
	VPERMB     Z0, Z2, Z1
	VPSRLVD    Z3, Z1, Z1
	VPANDD     Z4, Z1, Z1
	VMOVDQU32  Z1, 128(DI)
	ADDQ       BX, SI

	VMOVDQU8.Z (SI), K1, Z0
	VPERMB     Z0, Z2, Z1
	VPSRLVD    Z3, Z1, Z1
	VPANDD     Z4, Z1, Z1
	VMOVDQU32  Z1, 192(DI)

	VZEROUPPER
	RET
