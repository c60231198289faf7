// Command upload plays the exam execution team against the local stack: it
// signs a result token with the local result key, uploads a result under
// completed/ with both tokens as metadata (a PDF) or in a JSON body, waits for
// the stack to process it and prints where the object was filed. It fails
// when the result was not processed.
//
//	make upload EXAM_ID=… EXAM_TOKEN=… [FORMAT=json] [FILE=result.pdf]
//	make -s result-token EXAM_ID=…
//
// The S3 endpoint is ZMED_LOCAL_S3_ADDR's, as for the stack itself; the keys
// and bucket are the stack's variables too.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/zmed/exam-manager/shared/config"
)

func main() {
	printOnly := flag.Bool("print-result-token", false, "only print a result token for EXAM_ID")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	os.Exit(run(ctx, *printOnly, config.FromEnv(), os.Stdout, os.Stderr))
}

func run(ctx context.Context, printOnly bool, env *config.Reader, stdout, stderr io.Writer) int {
	u, err := readUpload(env)
	if err == nil {
		if printOnly {
			err = u.printResultToken(stdout)
		} else {
			err = u.run(ctx, stdout)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "upload:", err)
		return 1
	}
	return 0
}
