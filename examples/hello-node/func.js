// hello-node: an Fn function written with the Node.js FDK (@fnproject/fdk).
// It greets the "name" of a JSON body; called through an API gateway it also
// reports the method and URL it saw, and answers 400 to a body that is not
// JSON.
'use strict'

const fdk = require('@fnproject/fdk')

function handler (input, ctx) {
  // Only gateway calls (Fn-Intent: httprequest) carry an HTTP method and URL.
  const gateway = ctx.getHeader('Fn-Intent') === 'httprequest' ? ctx.httpGateway : null
  ctx.responseContentType = 'application/json'

  let req = {}
  if (input.trim() !== '') {
    try {
      req = JSON.parse(input)
    } catch (e) {
      if (gateway) {
        gateway.statusCode = 400
      }
      return { error: 'invalid JSON in request body' }
    }
  }
  const name = req !== null && typeof req.name === 'string' && req.name !== '' ? req.name : 'world'

  const resp = { message: `Hello, ${name}!` }
  if (gateway) {
    gateway.statusCode = 200
    resp.method = gateway.method
    resp.url = gateway.requestURL
  }
  return resp
}

// The body arrives as a string, so that invalid JSON can be told apart.
fdk.handle(handler, { inputMode: 'string' })
