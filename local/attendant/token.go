package main

import (
	"fmt"
	"io"
	"time"

	"github.com/zmed/exam-manager/local/authorizer"
)

// printToken prints a bearer token of the local attendant NAME, signed with the
// local attendant key (ZMED_LOCAL_ATTENDANT_KEY, or the documented default):
// its sub is a UUID derived from the name, its username the name.
func printToken(getenv func(string) string, now time.Time, stdout, stderr io.Writer) int {
	name := getenv("NAME")
	if name == "" {
		fmt.Fprintln(stderr, "attendant-token: NAME is required: make -s attendant-token NAME=ana")
		return 2
	}
	key := getenv(authorizer.KeyVar)
	if key == "" {
		key = authorizer.DefaultKey
	}
	tok, err := authorizer.Mint([]byte(key), authorizer.SubOf(name), name, now, authorizer.DefaultTTL)
	if err != nil {
		fmt.Fprintf(stderr, "attendant-token: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, tok)
	return 0
}
