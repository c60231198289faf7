package lambdarun

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The fake emulator is this test binary run again with fakeRIEVar set: it
// mimics aws-lambda-rie's order of work, where the runtime API may listen only
// after the invoke address does (see TestRunWaitsForTheRuntimeAPI).
const (
	fakeRIEVar       = "ZMED_FAKE_RIE"    // a directory: listening (written by it), bind-runtime-api (written by the test)
	fakeRIEListening = "listening"        // the invoke address listens
	fakeRIEBind      = "bind-runtime-api" // the fake may now listen on the runtime API address
	fakeInvokePath   = "/2015-03-31/functions/function/invocations"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(fakeRIEVar); dir != "" {
		fakeRIE(dir, os.Args[1:])
		return
	}
	os.Exit(m.Run())
}

// fakeRIE takes aws-lambda-rie's arguments. It listens on the invoke address
// at once and on the runtime API address only once the test allows it. An
// invoke does what the real emulator's does: it starts "the function", which
// connects to the runtime API; refused, it fails, and the answer is 502.
func fakeRIE(dir string, args []string) {
	flag := func(name string) string {
		for i, a := range args {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
		}
		panic("fake emulator: no " + name)
	}
	invokeAddr, runtimeAPIAddr := flag("--runtime-interface-emulator-address"), flag("--runtime-api-address")
	ln, err := net.Listen("tcp", invokeAddr)
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fakeRIEListening), nil, 0o600); err != nil {
		panic(err)
	}
	go func() {
		for {
			if _, err := os.Stat(filepath.Join(dir, fakeRIEBind)); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		runtimeAPI, err := net.Listen("tcp", runtimeAPIAddr)
		if err != nil {
			panic(err)
		}
		for {
			c, err := runtimeAPI.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	http.HandleFunc(fakeInvokePath, func(w http.ResponseWriter, r *http.Request) {
		c, err := net.Dial("tcp", runtimeAPIAddr)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "the function could not reach the runtime API: %v", err)
			return
		}
		_ = c.Close()
		fmt.Fprint(w, `"invoked"`)
	})
	_ = http.Serve(ln, nil)
}

// TestRunWaitsForTheRuntimeAPI: aws-lambda-rie listens on its runtime API
// address from a goroutine of its own, racing the invoke server, and starts
// the function at the first invoke; on a loaded machine the function could
// start before the runtime API listened, be refused and exit (502). Run must
// not invoke until both addresses listen. The fake lets its runtime API
// listen only a while after its invoke address does; a Run that invoked
// earlier would get its 502. Whatever the timing, a Run that waits succeeds.
func TestRunWaitsForTheRuntimeAPI(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	go func() {
		listening := filepath.Join(dir, fakeRIEListening)
		for giveUp := time.Now().Add(time.Minute); time.Now().Before(giveUp); time.Sleep(time.Millisecond) {
			if _, err := os.Stat(listening); err == nil {
				break
			}
		}
		// The time a Run that does not wait would need to invoke: the
		// verdict of a Run that waits does not depend on it.
		time.Sleep(300 * time.Millisecond)
		_ = os.WriteFile(filepath.Join(dir, fakeRIEBind), nil, 0o600)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // against a hang only
	defer cancel()
	logs := &lockedBuffer{}
	response, err := Run(ctx, self, "bootstrap", []string{fakeRIEVar + "=" + dir}, []byte(`{}`), logs)
	if err != nil {
		t.Fatalf("%v: %s\n%s", err, response, logs.String())
	}
	if strings.TrimSpace(string(response)) != `"invoked"` {
		t.Fatalf("response %s", response)
	}
}
