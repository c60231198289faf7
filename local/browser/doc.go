// Package browser holds the attendants' console's browser tests: Debian's
// headless Chromium, driven from Go with chromedp, against the whole local
// stack started in-process on free loopback ports. `make test` installs
// chromium when it is missing.
package browser
