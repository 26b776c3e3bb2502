//go:build !linux

package server

// availableMemory is not known on this platform beyond GOMEMLIMIT.
func availableMemory() (uint64, bool) { return 0, false }
