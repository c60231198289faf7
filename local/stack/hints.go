package stack

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// listenError explains an endpoint that could not listen: most often a stack
// that is already running, and the variable that moves it.
func listenError(what, addrVar, addr string, err error) error {
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var others []string
	for _, v := range []string{APIAddrVar, S3AddrVar, DynamoDBAddrVar, PatientsAddrVar} {
		if v != addrVar {
			others = append(others, v)
		}
	}
	return fmt.Errorf("%s: %s is already in use: is a local stack already running (make run in another terminal)? "+
		"Stop it, or move this one with %s=127.0.0.1:<port> (likewise %s)", what, addr, addrVar, strings.Join(others, ", "))
}

// Unreachable explains a refused connection from a local tool to the stack's
// endpoint at addr (moved by addrVar); other errors pass unchanged.
func Unreachable(addrVar, addr string, err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("nothing answers at %s: start the local stack with `make run` in another terminal, "+
			"or set %s to the address it listens on", addr, addrVar)
	}
	return err
}
