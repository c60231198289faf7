package main

import "runtime"

type runtimeStats struct{ totalAlloc uint64 }

func readStats() runtimeStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtimeStats{totalAlloc: m.TotalAlloc}
}
