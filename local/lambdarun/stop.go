package lambdarun

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stop ends the emulator and the function it runs. The function goes first,
// as Lambda freezes a function once it has answered: were the emulator to go
// first, the function's runtime client would log a failed request for the next
// invocation, which reads like a failure of the invocation that succeeded.
// The emulator starts the function in a process group of its own, so the
// function is found as the emulator's child.
func stop(cmd *exec.Cmd) {
	emulator := cmd.Process.Pid
	function := children(emulator)
	for _, pid := range function {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for giveUp := time.Now().Add(time.Second); time.Now().Before(giveUp) && anyRunning(function); {
		time.Sleep(time.Millisecond)
	}
	_ = syscall.Kill(-emulator, syscall.SIGKILL) // it leads its own group (Setpgid)
	_ = cmd.Wait()
}

// children lists the processes whose parent is pid (from /proc).
func children(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, path := range stats {
		if _, parent, ok := procStat(path); ok && parent == pid {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			pids = append(pids, child)
		}
	}
	return pids
}

// anyRunning tells whether any of pids still exists and is not a zombie.
func anyRunning(pids []int) bool {
	for _, pid := range pids {
		if state, _, ok := procStat("/proc/" + strconv.Itoa(pid) + "/stat"); ok && state != "Z" {
			return true
		}
	}
	return false
}

// procStat reads a process's state and parent from its /proc/<pid>/stat
// ("pid (comm) state ppid …"; comm may hold spaces and parentheses).
func procStat(path string) (state string, ppid int, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0, false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 2 {
		return "", 0, false
	}
	ppid, err = strconv.Atoi(fields[1])
	return fields[0], ppid, err == nil
}

// PeakMemoryKB is the peak resident memory of process pid, in KiB (VmHWM in
// /proc/<pid>/status).
func PeakMemoryKB(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM for process %d", pid)
}
