package cpf

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"formatted", "529.982.247-25", "52998224725"},
		{"bare", "52998224725", "52998224725"},
		{"second example formatted", "248.438.034-80", "24843803480"},
		{"second example bare", "24843803480", "24843803480"},
		{"first check digit below 2 becomes 0", "111.444.777-35", "11144477735"},
		{"wrong first check digit", "529.982.247-35", ""},
		{"wrong second check digit", "529.982.247-26", ""},
		{"eleven equal digits", "111.111.111-11", ""},
		{"eleven zeros", "00000000000", ""},
		{"too short", "5299822472", ""},
		{"too long", "529982247250", ""},
		{"empty", "", ""},
		{"letters", "529.982.24A-25", ""},
		{"spaces", "529 982 247 25", ""},
		{"non-ASCII digit", "５29982247２5", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalid) || got != "" {
					t.Fatalf("Normalize(%q) = %q, %v; want ErrInvalid", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// FuzzNormalize: a CPF is accepted only as its 11 digits with any "." and
// "-", its check digits right and not all equal; the result is those digits,
// which are accepted again as they are.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"529.982.247-25", "24843803480", "111.444.777-35", "529.982.247-26", "111.111.111-11",
		"５29982247２5", "529 982 247 25", "52998224725\n", "-5.2.9.9.8.2.2.4.7.2.5-", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Normalize(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || got != "" {
				t.Fatalf("Normalize(%q) = %q, %v", s, got, err)
			}
			return
		}
		digits := strings.NewReplacer(".", "", "-", "").Replace(s)
		again, err := Normalize(got)
		if got != digits || len(got) != 11 || err != nil || again != got || strings.Count(got, got[:1]) == 11 {
			t.Fatalf("Normalize(%q) = %q (again %q, %v)", s, got, again, err)
		}
	})
}
