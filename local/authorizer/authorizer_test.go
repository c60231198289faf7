package authorizer

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/zmed/exam-manager/shared/apigw"
)

const anaSub = "c7c765e8-e306-5b09-8a9e-e76483dd2238"

func TestAuthorize(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	key := []byte(DefaultKey)
	a, err := New(key, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	good, _ := Mint(key, SubOf("ana"), "ana", now, time.Hour)
	expired, _ := Mint(key, SubOf("ana"), "ana", now.Add(-2*time.Hour), time.Hour)
	otherKey, _ := Mint([]byte("another-key-of-at-least-32-bytes-0123456789"), SubOf("ana"), "ana", now, time.Hour)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{"sub": "x", "username": "x", "exp": now.Add(time.Hour).Unix()}).SignedString(key)
	nested, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "username": "x", "exp": now.Add(time.Hour).Unix(), "groups": []string{"a"}}).SignedString(key)

	future, _ := Mint(key, SubOf("ana"), "ana", now.Add(time.Minute), time.Hour)

	ctx, err := a.Authorize("Bearer "+good, true)
	if err != nil {
		t.Fatal(err)
	}
	if c := ctx.JWT.Claims; c["sub"] != SubOf("ana") || c["username"] != "ana" || c["exp"] != "1795784400" {
		t.Fatalf("claims %v", c)
	}
	ctx, err = a.Authorize("", false)
	if err != nil || ctx.JWT.Claims["sub"] != LocalAttendant || ctx.JWT.Claims["username"] != LocalAttendant {
		t.Fatalf("without a header: %v, %v", ctx, err)
	}
	for name, header := range map[string]string{
		"expired": "Bearer " + expired, "another key": "Bearer " + otherKey, "HS512": "Bearer " + hs512,
		"a claim that is no string nor number": "Bearer " + nested, "no scheme": good, "empty bearer": "Bearer ", "garbage": "Bearer abc",
		// As API Gateway: an empty header is no token, not the local attendant,
		// and a token issued in the future is not valid yet.
		"empty header": "", "blank header": "   ", "issued in the future": "Bearer " + future,
	} {
		if _, err := a.Authorize(header, true); !errors.Is(err, apigw.ErrUnauthenticated) {
			t.Errorf("%s: %v, want ErrUnauthenticated", name, err)
		}
	}
	if _, err := New([]byte("short"), time.Now); err == nil {
		t.Error("a short key was accepted")
	}
	// One sub per name, the same on every machine and release: a local
	// attendant keeps its identity (and its Idempotency-Keys' scope).
	if SubOf("ana") == SubOf("bruno") || SubOf("ana") != anaSub {
		t.Errorf("SubOf(ana) = %s, want %s, and another sub for bruno", SubOf("ana"), anaSub)
	}
}
