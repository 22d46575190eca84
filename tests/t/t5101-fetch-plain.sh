#!/bin/bash
test_description="fetch-manifest and ls-remote against a plain registry"
MODE=plain
. ./lib-fetch.sh
