package cpf

import (
	"errors"
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

func FuzzNormalize(f *testing.F) {
	f.Add("529.982.247-25")
	f.Add("abc")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Normalize(s)
		if err != nil {
			return
		}
		again, err := Normalize(got)
		if err != nil || again != got || len(got) != 11 {
			t.Fatalf("normalised %q to %q, which does not round-trip (%q, %v)", s, got, again, err)
		}
	})
}
