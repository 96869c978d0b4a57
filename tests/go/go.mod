// Go helper programs for the gotrace tests: the trace generator and the fuzz
// corpus converter. Standard library only; "go 1.19" so every toolchain from
// Go 1.19 to Go 1.23 builds them unchanged.
module gotrace.test/go

go 1.19
