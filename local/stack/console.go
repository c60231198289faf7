package stack

import (
	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/console"
)

// mountConsole adds the attendants' console (the console function's handler)
// to routes: locally it acts as the local attendant or a pasted local token's.
// It returns the console's routes, which are public as in AWS: no authorizer.
func mountConsole(routes map[apigw.Route]apigw.Handler, s console.Settings) (public map[apigw.Route]bool, err error) {
	page, err := console.Handler(s)
	if err != nil {
		return nil, err
	}
	public = map[apigw.Route]bool{}
	for _, r := range console.Routes() {
		routes[r] = page
		public[r] = true
	}
	return public, nil
}
