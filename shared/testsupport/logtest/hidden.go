package logtest

import (
	"strings"
	"unicode"
)

// minHiddenRun is the fewest digits a planted value must have to be searched
// inside the UUIDs of a line. A UUID a client sent (an exam id) can hide a
// CPF's eleven digits and pass every UUID check, yet the UUIDs logging makes
// up (request ids) are random: a given run of n digits appears in one of their
// 32 hexadecimal digits with a chance of about (33-n)/16^n, 1.3e-12 for
// n = 11, while a phone's five digits would appear once in some 40,000 UUIDs.
// So only long runs, and only the ones the test planted, are searched there.
const minHiddenRun = 11

// HiddenInUUID reports whether a UUID in line, its dashes taken out, holds the
// digits of planted (a value a test sent, such as a CPF in any spelling)
// when planted has at least a CPF's count of digits.
func HiddenInUUID(line, planted string) bool {
	run := digitsOf(planted)
	if len(run) < minHiddenRun {
		return false
	}
	for _, id := range canonicalUUID.FindAllString(line, -1) {
		if strings.Contains(strings.ReplaceAll(id, "-", ""), run) {
			return true
		}
	}
	return false
}

// digitsOf is s with everything but its digits taken out.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}
