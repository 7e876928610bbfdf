module fern.example/ffi/go

go 1.19
