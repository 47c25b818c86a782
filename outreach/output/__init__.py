"""The output folder: confined writes, manifests and the previous run, file names, the
worker processes that write each rep's files, and a starter folder for `init`."""
