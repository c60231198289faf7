package stack

import (
	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/console"
)

// mountConsole adds the attendants' console (the console function's handler)
// to routes: locally it acts as the local attendant or a pasted local token's.
func mountConsole(routes map[apigw.Route]apigw.Handler, s console.Settings) error {
	page, err := console.Handler(s)
	if err != nil {
		return err
	}
	for _, r := range console.Routes() {
		routes[r] = page
	}
	return nil
}
