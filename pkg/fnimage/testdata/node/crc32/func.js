// A test function whose dependency is native code: @node-rs/crc32 loads the
// .node file of the one per-platform optional package npm installed for the
// image's platform (@node-rs/crc32-linux-x64-gnu or -linux-arm64-gnu).
'use strict'

const fdk = require('@fnproject/fdk')
const { crc32 } = require('@node-rs/crc32')

fdk.handle(function (input) {
  return { crc32: crc32(input), arch: process.arch }
}, { inputMode: 'string' })
