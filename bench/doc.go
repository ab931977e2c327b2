// Package bench holds benchmarks that compare osa with its peers on the same
// machine, inputs and registry.
//
// A benchmark here prints the ratio of osa's time to the peer's, measured
// side by side in alternating runs; speed is never asserted in a test. Run
// them with hack/bench-build.sh (osa build against ko) and
// hack/bench-python.sh (Python rebuilds, two platforms against one, and a
// cold build against pip alone), or directly:
//
//	go test -run '^$' -bench BenchmarkBuildPushVsKo -benchtime 1x ./bench/
//	go test -run '^$' -bench BenchmarkPythonBuild -benchtime 1x ./bench/
//
// They need the tools of hack/install-tools.sh (the CNCF registry and ko).
package bench
