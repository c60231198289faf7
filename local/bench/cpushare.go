package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// vCPUMemoryMB is the memory size at which Lambda gives a function one full
// vCPU; below it, a function gets that share of one.
const vCPUMemoryMB = 1769

// cpuShare limits the processes put in it to the CPU Lambda gives a memory
// size, through a cgroup (v1 cpu controller) CPU quota: memoryMB/1769 of one
// CPU per scheduling period.
type cpuShare struct {
	dir   string
	share float64
}

// cgroupCPU is the cgroup v1 cpu controller's mount.
const cgroupCPU = "/sys/fs/cgroup/cpu"

// newCPUShare makes the cgroup for memoryMB; an error when this machine
// cannot (no writable cpu controller: not root, or cgroup v2 only).
func newCPUShare(memoryMB int) (*cpuShare, error) {
	dir := filepath.Join(cgroupCPU, fmt.Sprintf("zmed-bench-%d-%d-%d", os.Getpid(), shares.Add(1), memoryMB))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("CPU share: %w", err)
	}
	c := &cpuShare{dir: dir, share: float64(memoryMB) / vCPUMemoryMB}
	period, err := os.ReadFile(filepath.Join(dir, "cpu.cfs_period_us"))
	if err == nil {
		var us int
		if us, err = strconv.Atoi(string(trimNewline(period))); err == nil {
			quota := int(float64(us) * c.share)
			err = os.WriteFile(filepath.Join(dir, "cpu.cfs_quota_us"), []byte(strconv.Itoa(quota)), 0o644)
		}
	}
	if err != nil {
		c.remove()
		return nil, fmt.Errorf("CPU share: %w", err)
	}
	return c, nil
}

// add puts process pid in the share; the processes it starts inherit it.
func (c *cpuShare) add(pid int) error {
	return os.WriteFile(filepath.Join(c.dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644)
}

// shares numbers the cgroups, so that one still draining never stands in
// the way of the next.
var shares atomic.Int64

// remove deletes the cgroup once its processes are gone: a process killed
// a moment ago may still be exiting (the kernel refuses the removal until it
// has).
func (c *cpuShare) remove() {
	for giveUp := time.Now().Add(5 * time.Second); os.Remove(c.dir) != nil && time.Now().Before(giveUp); {
		time.Sleep(10 * time.Millisecond)
	}
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
