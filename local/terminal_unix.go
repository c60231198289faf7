//go:build linux || darwin

package main

import (
	"os/signal"
	"syscall"
	"unsafe"
)

// takeTerminal makes this process the terminal's foreground process group when
// it runs on one (as under `make run`), so that Ctrl-C reaches the stack alone:
// it stops cleanly and exits 0, and make, which would otherwise die of the same
// SIGINT, sees a clean exit. The returned function gives the terminal back.
func takeTerminal() (restore func()) {
	const tty = 0 // standard input
	var previous int32
	if ioctl(tty, syscall.TIOCGPGRP, &previous) != nil {
		return func() {} // not a terminal
	}
	// A background group changing the foreground group gets SIGTTOU unless it ignores it.
	signal.Ignore(syscall.SIGTTOU)
	if syscall.Setpgid(0, 0) != nil {
		return func() {}
	}
	own := int32(syscall.Getpgrp())
	if ioctl(tty, syscall.TIOCSPGRP, &own) != nil {
		return func() {}
	}
	return func() { _ = ioctl(tty, syscall.TIOCSPGRP, &previous) }
}

func ioctl(fd int, req uint, pgrp *int32) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(unsafe.Pointer(pgrp))); errno != 0 {
		return errno
	}
	return nil
}
