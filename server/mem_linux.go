package server

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// availableMemory returns the memory still available to the process: the
// machine's MemAvailable, lowered to what the cgroup (container) limit
// leaves, when there is one.
func availableMemory() (uint64, bool) {
	free, ok := memAvailable()
	if limit, used, found := cgroupMemory(); found {
		left := uint64(0)
		if limit > used {
			left = limit - used
		}
		if !ok || left < free {
			free, ok = left, true
		}
	}
	return free, ok
}

// memAvailable reads MemAvailable from /proc/meminfo.
func memAvailable() (uint64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		rest, found := bytes.CutPrefix(line, []byte("MemAvailable:"))
		if !found {
			continue
		}
		fields := strings.Fields(string(rest))
		if len(fields) == 0 {
			return 0, false
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, false
		}
		return kb << 10, true
	}
	return 0, false
}

// cgroupMemory reads the memory limit and usage of the process's cgroup
// (v2, then v1); found is false when there is no limit.
func cgroupMemory() (limit, used uint64, found bool) {
	if limit, ok := readUint("/sys/fs/cgroup/memory.max"); ok {
		used, _ := readUint("/sys/fs/cgroup/memory.current")
		return limit, used, true
	}
	if limit, ok := readUint("/sys/fs/cgroup/memory/memory.limit_in_bytes"); ok && limit < 1<<62 {
		used, _ := readUint("/sys/fs/cgroup/memory/memory.usage_in_bytes")
		return limit, used, true
	}
	return 0, 0, false
}

// readUint reads a file holding one number ("max" counts as none).
func readUint(path string) (uint64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}
