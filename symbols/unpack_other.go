//go:build !amd64 || purego

package symbols

func unpack64(dst *[64]uint32, src []uint64, w int) { unpack64Scalar(dst, src, w) }
