// Package architecture holds, as tests, the layout rules docs/architecture.md states:
// the domain, the processor's and the reconciler's use cases and the metrics
// import no AWS package, the domain neither logs, counts nor speaks HTTP (its
// observer port does that outside it), no Lambda
// links a test-support package,
// the functions and the local stack share the composition seam
// (shared/httpapi) without importing each other, and each use case is
// assembled in one composition root only. It has no code of its own.
package architecture
