package apitest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// Poisoned is invalid input that carries personal data, for the log tests:
// every value is sent where a client value goes, and no log line may carry
// any of Forbidden nor a fixture CPF in any spelling.
type Poisoned struct {
	Values    []string
	Forbidden []string
}

// Poison returns the poisoned values, a real exam token among them.
func Poison(examToken string) Poisoned {
	return Poisoned{
		Values: []string{
			"529.982.247-25", "52998224725", "529 982 247 25", "529982247-25", "CPF 248.438.034/80",
			"Maria da Silva", "Maria da Silva, CPF 529.982.247-25, tel +5511987654321",
			"+5511987654321", "(11) 98765-4321", "maria.silva@example.com", examToken,
			"Bearer " + examToken, strings.Repeat("Maria da Silva ", 4000),
			// UUIDs a client may send as an exam id, hiding a CPF and a phone.
			CPFInUUID, PhoneInUUID,
		},
		Forbidden: append(PersonalData(), "Maria", "Silva", "98765", "987654321", "maria.silva", "@example.com",
			examToken, examToken[strings.LastIndex(examToken, ".")+1:]),
	}
}

// CPFInUUID and PhoneInUUID pass as UUIDs yet carry the digits of
// 529.982.247-25 and +55 11 98765-4321: an exam id a client sends may be one.
const (
	CPFInUUID   = "52998224-7250-4000-8000-000000000000"
	PhoneInUUID = "55119876-5432-1000-8000-000000000000"
)

// fixtureCPFs are the CPFs of the fixture patients (fakes and local/patients.json) and of the poisoned values.
var fixtureCPFs = []string{"52998224725", "24843803480", "11144477735", "39053344705", "86288366757", "12345678810", "98765432029"}

var nonDigits = regexp.MustCompile(`\D`)

// CheckNoCPF fails t if a line of text carries a fixture CPF in any
// spelling: the digits of what the code logged (logtest.LoggedText: no
// times, UUIDs or fractional numbers, whose digits are arbitrary), everything
// else taken out, contain none, nor does a UUID (logtest.HiddenInUUID).
func CheckNoCPF(t testing.TB, text string) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		digits := nonDigits.ReplaceAllString(logtest.LoggedText(line), "")
		for _, cpf := range fixtureCPFs {
			if strings.Contains(digits, cpf) || logtest.HiddenInUUID(line, cpf) {
				t.Fatalf("log line carries the CPF %s in some spelling: %s", cpf, line)
			}
		}
	}
}
