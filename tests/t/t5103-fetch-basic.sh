#!/bin/bash
test_description="fetch-manifest and ls-remote against a basic registry"
MODE=basic
. ./lib-fetch.sh
