package browser

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// updateSRP rewrites the golden file from pycognito's answers:
// go test ./local/browser -run TestSRPKnownAnswers -update-srp
var updateSRP = flag.Bool("update-srp", false, "rewrite testdata/srp_known_answers.json from pycognito")

const srpGolden = "testdata/srp_known_answers.json"

// srpCase is one set of fixed SRP inputs: the client's secret exponent, the
// pool, the user and password, and what Cognito would send (salt, SRP_B,
// secret block), at a fixed time.
type srpCase struct {
	Name         string     `json:"name"`
	PoolID       string     `json:"pool_id"`
	Username     string     `json:"username"`
	UserIDForSRP string     `json:"user_id_for_srp"`
	Password     string     `json:"password"`
	SmallA       string     `json:"small_a"`
	Salt         string     `json:"salt"`
	SRPB         string     `json:"srp_b"`
	SecretBlock  string     `json:"secret_block"`
	Time         string     `json:"time"`
	Want         *srpAnswer `json:"want,omitempty"`
}

// srpAnswer is what a client derives from a case: SRP_A, the HKDF key, the
// timestamp and the PASSWORD_CLAIM_SIGNATURE.
type srpAnswer struct {
	Name      string `json:"name"`
	SRPA      string `json:"srp_a"`
	HKDF      string `json:"hkdf"`
	Timestamp string `json:"timestamp"`
	Signature string `json:"signature"`
}

// pycognitoSRP runs pycognito's AWSSRP (an independent implementation, kept by
// others) on the cases.
func pycognitoSRP(t *testing.T, cases []srpCase) []srpAnswer {
	t.Helper()
	py := mototest.Python()
	if py == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("pycognito not found: make test installs it into .venv (.ci/requirements.txt)")
		}
		t.Skip("pycognito not found; `make test` installs it (or set ZMED_MOTO_PYTHON to the .venv's python)")
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(py, "testdata/srp_pycognito.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pycognito: %v: %s", err, stderr.String())
	}
	var answers []srpAnswer
	if err := json.Unmarshal(out, &answers); err != nil {
		t.Fatalf("pycognito's answer: %v: %s", err, out)
	}
	return answers
}

// consoleSRP runs the console's srp.js on the cases, in the page.
func consoleSRP(e *env, cases []srpCase) []srpAnswer {
	e.t.Helper()
	in, _ := json.Marshal(cases)
	return eval[[]srpAnswer](e, fmt.Sprintf(`(async () => {
  const { startSRP, cognitoTimestamp } = await import('/console/srp.js');
  const out = [];
  for (const c of %s) {
    const srp = await startSRP(c.small_a);
    const params = { USERNAME: c.user_id_for_srp, USER_ID_FOR_SRP: c.user_id_for_srp, SALT: c.salt, SRP_B: c.srp_b, SECRET_BLOCK: c.secret_block };
    const key = await srp.key(c.pool_id, c.password, params);
    const timestamp = cognitoTimestamp(new Date(c.time));
    const proof = await srp.answer(c.pool_id, c.password, params, timestamp);
    out.push({ name: c.name, srp_a: srp.srpA, hkdf: [...key].map((b) => b.toString(16).padStart(2, '0')).join(''),
      timestamp: proof.TIMESTAMP, signature: proof.PASSWORD_CLAIM_SIGNATURE });
  }
  return out;
})()`, in))
}

func readSRPGolden(t *testing.T) []srpCase {
	t.Helper()
	raw, err := os.ReadFile(srpGolden)
	if err != nil {
		t.Fatal(err)
	}
	var cases []srpCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// flipBit changes the lowest bit of s's first byte: "Uma" becomes "Tma".
func flipBit(s string) string {
	b := []byte(s)
	b[0] ^= 1
	return string(b)
}

// TestSRPKnownAnswers: the console's SRP (srp.js, in Chromium) and
// pycognito's AWSSRP give the same SRP_A, HKDF key, timestamp and password
// claim signature on fixed inputs, and both still give the answers of the
// golden file, so a change on either side fails. Moto accepts any signature,
// so this is what proves the math before a real Cognito sees it.
func TestSRPKnownAnswers(t *testing.T) {
	cases := readSRPGolden(t)
	inputs := make([]srpCase, len(cases))
	for i, c := range cases {
		c.Want = nil
		inputs[i] = c
	}
	independent := pycognitoSRP(t, inputs)
	if *updateSRP {
		for i := range cases {
			cases[i].Want = &independent[i]
		}
		out, _ := json.MarshalIndent(cases, "", "  ")
		if err := os.WriteFile(srpGolden, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := start(t)
	console := consoleSRP(e, inputs)

	// The same inputs with one bit of the password changed: both sides must
	// move off the golden signature together (the comparison can fail).
	flipped := make([]srpCase, len(inputs))
	for i, c := range inputs {
		c.Password = flipBit(c.Password)
		flipped[i] = c
	}
	independentFlipped, consoleFlipped := pycognitoSRP(t, flipped), consoleSRP(e, flipped)

	for i, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Want == nil {
				t.Fatal("the golden file has no answer: run with -update-srp")
			}
			for side, got := range map[string]srpAnswer{"pycognito": independent[i], "srp.js": console[i]} {
				if got != *c.Want {
					t.Errorf("%s: %+v, want the golden %+v", side, got, *c.Want)
				}
			}
			if consoleFlipped[i] != independentFlipped[i] {
				t.Errorf("one bit off the password: srp.js %+v, pycognito %+v", consoleFlipped[i], independentFlipped[i])
			}
			if consoleFlipped[i].Signature == c.Want.Signature || consoleFlipped[i].HKDF == c.Want.HKDF {
				t.Errorf("one bit off the password gives the same key or signature: %+v", consoleFlipped[i])
			}
			if consoleFlipped[i].SRPA != c.Want.SRPA {
				t.Errorf("the password changed SRP_A: %s", consoleFlipped[i].SRPA)
			}
		})
	}
}
