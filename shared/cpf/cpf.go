// Package cpf validates and normalises Brazilian individual taxpayer numbers (CPF).
package cpf

import "errors"

// ErrInvalid is returned for anything that is not a well-formed CPF with correct check digits.
var ErrInvalid = errors.New("invalid CPF")

// Normalize returns the 11 digits of a CPF given with or without the usual
// "000.000.000-00" punctuation, after checking both check digits.
func Normalize(s string) (string, error) {
	digits := make([]byte, 0, 11)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if len(digits) == 11 {
				return "", ErrInvalid
			}
			digits = append(digits, c)
		case c == '.' || c == '-':
			// Punctuation is accepted anywhere; the digit count decides validity.
		default:
			return "", ErrInvalid
		}
	}
	if len(digits) != 11 || allEqual(digits) {
		return "", ErrInvalid
	}
	if checkDigit(digits[:9], 10) != digits[9] || checkDigit(digits[:10], 11) != digits[10] {
		return "", ErrInvalid
	}
	return string(digits), nil
}

// checkDigit computes the mod-11 check digit of prefix with weights from firstWeight down to 2.
func checkDigit(prefix []byte, firstWeight int) byte {
	sum := 0
	for i, d := range prefix {
		sum += int(d-'0') * (firstWeight - i)
	}
	rest := sum % 11
	if rest < 2 {
		return '0'
	}
	return byte('0' + 11 - rest)
}

func allEqual(d []byte) bool {
	for _, c := range d[1:] {
		if c != d[0] {
			return false
		}
	}
	return true
}
