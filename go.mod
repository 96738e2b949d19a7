module github.com/nisnet-eu/nisnet

go 1.26.0
