// Command attendant makes the attendant's first calls on the local stack and
// prints only what the next step needs, so that a shell can chain them; any
// error answer is printed with its code and fails the command.
//
//	make -s register [DOCUMENT=529.982.247-25] [EXAM_TYPE=1]          → the exam id
//	make -s start EXAM_ID=… [DOCUMENT=529.982.247-25] [EXAM_TYPE=1]   → the exam token
//	make -s attendant-token NAME=ana                                 → a local attendant's bearer token
//
// register and start act as the attendant of ATTENDANT_TOKEN when it is set,
// as the local attendant otherwise.
// The API's address is ZMED_LOCAL_API_ADDR's, as for the stack itself.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, http.DefaultClient, os.Stdout, os.Stderr))
}

func run(args []string, getenv func(string) string, client *http.Client, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: make -s register | make -s start EXAM_ID=… | make -s attendant-token NAME=…")
		return 2
	}
	if args[0] == "token" {
		return printToken(getenv, time.Now(), stdout, stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api := newAPI(getenv, client)
	var out string
	r, err := request(getenv)
	if err == nil {
		switch args[0] {
		case "register":
			out, err = api.register(ctx, r)
		case "start":
			out, err = api.start(ctx, r)
		default:
			err = fmt.Errorf("unknown step %q: register or start", args[0])
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", args[0], err)
		return 1
	}
	fmt.Fprintln(stdout, out)
	return 0
}
