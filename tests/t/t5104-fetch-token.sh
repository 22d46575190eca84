#!/bin/bash
test_description="fetch-manifest and ls-remote against a token registry"
MODE=token
. ./lib-fetch.sh
