'use strict'
const util = require('./lib/util')
console.log(util.answer)
