//go:build !(linux || darwin)

package main

// takeTerminal does nothing where process groups work otherwise.
func takeTerminal() (restore func()) { return func() {} }
