// Amazon's AppSync simulator (@aws-amplify/amplify-appsync-simulator), started standalone on
// loopback with the emulator's sample Todo schema, so ci/appsync-simulator.sh can send the same
// requests to both. Subscriptions need nothing here: the simulator serves the schema's
// @aws_subscribe fields on /graphql/realtime (AppSync's graphql-ws protocol, `header=` query
// parameter) and publishes the results of mutations made through its /graphql.
// Usage: node appsync_sim.js <schema.graphql> <api key>
// Prints `APPSYNC_SIM_READY <graphql url>` when it serves requests.
'use strict';

const fs = require('fs');
const net = require('net');
const { AmplifyAppSyncSimulator } = require('@aws-amplify/amplify-appsync-simulator');

const [schemaPath, apiKey] = process.argv.slice(2);
if (!schemaPath || !apiKey) {
  console.error('usage: node appsync_sim.js <schema.graphql> <api key>');
  process.exit(2);
}

// The simulator listens on every interface; keep it on loopback.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') {
    return listen.call(this, args[0], '127.0.0.1', ...args.slice(typeof args[1] === 'string' ? 2 : 1));
  }
  if (args[0] && typeof args[0] === 'object' && args[0].path === undefined) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    listen.call(probe, 0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// The Todo table, in insertion order, with the same semantics as the emulator's sample resolvers.
const todos = new Map();
let nextId = 1;

function fail(message, type) {
  return { error: { message, type } };
}

function conditionHolds(value, ops) {
  return Object.entries(ops || {}).every(([op, arg]) => {
    if (arg === null || arg === undefined) return true;
    const v = value === null ? undefined : value;
    switch (op) {
      case 'eq': return v === arg;
      case 'ne': return v !== arg;
      case 'lt': return v !== undefined && v < arg;
      case 'le': return v !== undefined && v <= arg;
      case 'gt': return v !== undefined && v > arg;
      case 'ge': return v !== undefined && v >= arg;
      case 'contains': return typeof v === 'string' && v.includes(arg);
      case 'notContains': return typeof v === 'string' && !v.includes(arg);
      case 'beginsWith': return typeof v === 'string' && v.startsWith(arg);
      case 'between': return v !== undefined && v >= arg[0] && v <= arg[1];
      case 'attributeExists': return arg === (v !== undefined);
      default: return false;
    }
  });
}

function matches(filter, item) {
  return Object.entries(filter || {}).every(([key, cond]) => {
    if (cond === null || cond === undefined) return true;
    if (key === 'and') return cond.every((f) => matches(f, item));
    if (key === 'or') return cond.some((f) => matches(f, item));
    if (key === 'not') return !matches(cond, item);
    return conditionHolds(item[key], cond);
  });
}

function resolve({ field, args, identity }) {
  const now = new Date().toISOString();
  switch (field) {
    case 'getTodo':
      return { data: todos.get(args.id) || null };
    case 'listTodos': {
      const limit = args.limit || 100;
      const all = [...todos.values()];
      const start = args.nextToken ? Number(Buffer.from(args.nextToken, 'base64').toString()) : 0;
      const scanned = all.slice(start, start + limit);
      const end = start + scanned.length;
      return {
        data: {
          items: scanned.filter((t) => matches(args.filter, t)),
          nextToken: end < all.length ? Buffer.from(String(end)).toString('base64') : null,
        },
      };
    }
    case 'createTodo': {
      const input = { ...args.input };
      input.id = input.id || `sim-${nextId++}`;
      if (todos.has(input.id)) return fail('The conditional request failed', 'DynamoDB:ConditionalCheckFailedException');
      const owner = identity && (identity.username || identity.sub || identity.cognitoIdentityId);
      const item = { ...input, owner: owner || null, createdAt: now, updatedAt: now };
      todos.set(item.id, item);
      return { data: item };
    }
    case 'updateTodo': {
      const old = todos.get(args.input.id);
      if (!old) return fail('The conditional request failed', 'DynamoDB:ConditionalCheckFailedException');
      const item = { ...old, ...args.input, updatedAt: now };
      todos.set(item.id, item);
      return { data: item };
    }
    case 'deleteTodo': {
      const old = todos.get(args.input.id);
      if (!old) return fail('The conditional request failed', 'DynamoDB:ConditionalCheckFailedException');
      todos.delete(old.id);
      return { data: old };
    }
    default:
      return { data: null };
  }
}

const requestTemplate = `{
  "version": "2018-05-29",
  "operation": "Invoke",
  "payload": {
    "field": "$ctx.info.fieldName",
    "args": $util.toJson($ctx.arguments),
    "identity": $util.toJson($ctx.identity)
  }
}`;
const responseTemplate = `#if($ctx.result.error)
$util.error($ctx.result.error.message, $ctx.result.error.type)
#end
$util.toJson($ctx.result.data)`;

async function main() {
  const port = await freePort();
  const simulator = new AmplifyAppSyncSimulator({ port });
  const fields = {
    Query: ['getTodo', 'listTodos'],
    Mutation: ['createTodo', 'updateTodo', 'deleteTodo'],
  };
  const resolvers = [];
  for (const [typeName, names] of Object.entries(fields)) {
    for (const fieldName of names) {
      resolvers.push({
        kind: 'UNIT',
        typeName,
        fieldName,
        dataSourceName: 'todos',
        requestMappingTemplate: requestTemplate,
        responseMappingTemplate: responseTemplate,
      });
    }
  }
  simulator.init({
    schema: { content: fs.readFileSync(schemaPath, 'utf8') },
    dataSources: [{ type: 'AWS_LAMBDA', name: 'todos', invoke: async (payload) => resolve(payload) }],
    resolvers,
    appSync: {
      name: 'amplify-emulator-compat',
      defaultAuthenticationType: { authenticationType: 'API_KEY' },
      apiKey,
      additionalAuthenticationProviders: [
        { authenticationType: 'AMAZON_COGNITO_USER_POOLS', cognitoUserPoolConfig: {} },
        { authenticationType: 'AWS_IAM' },
      ],
    },
  });
  await simulator.start();
  console.log(`APPSYNC_SIM_READY http://127.0.0.1:${port}/graphql`);
  const stop = async () => {
    await simulator.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
