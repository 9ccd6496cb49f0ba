module sluice/bench/compare/go

go 1.19
