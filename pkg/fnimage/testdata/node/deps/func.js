// A test function: it uses a plain dependency and one with per-platform
// native packages. The FDK is left out so that the tests run offline.
'use strict'
const greet = require('greet')
const native = require('native')

console.log(greet('test'), native)
