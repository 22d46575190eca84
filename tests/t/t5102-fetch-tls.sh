#!/bin/bash
test_description="fetch-manifest and ls-remote against a tls registry"
MODE=tls
. ./lib-fetch.sh
