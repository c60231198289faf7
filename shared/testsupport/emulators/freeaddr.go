package emulators

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
)

// FreeLoopbackAddr returns a 127.0.0.1 address that was free a moment ago,
// for a child process (moto, the runtime emulator, the local stack) to listen
// on. The port is drawn below the kernel's ephemeral range: that range is where
// bind(":0") and every outgoing connection take their ports, so a port from it
// could be taken by any of the tests' own connections before the child binds.
func FreeLoopbackAddr() (string, error) {
	hi := ephemeralStart()
	lo := max(hi-12000, 1024)
	for range 200 {
		addr := fmt.Sprintf("127.0.0.1:%d", lo+rand.IntN(hi-lo))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue // taken: draw again
		}
		if err := ln.Close(); err != nil {
			return "", err
		}
		return addr, nil
	}
	return "", fmt.Errorf("no free loopback port in %d-%d", lo, hi-1)
}

// ephemeralStart is the first port of the kernel's ephemeral range (Linux's
// default 32768 where it cannot be read).
func ephemeralStart() int {
	start := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		var lo, hi int
		if n, _ := fmt.Sscan(string(b), &lo, &hi); n == 2 && lo > 2048 {
			start = lo
		}
	}
	return start
}
