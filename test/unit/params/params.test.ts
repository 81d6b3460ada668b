import {describe, expect, test} from "vitest";
import {decodeParams, encodeParams} from "../../../src/params/hash.js";
import {defaults, defineSchema, isActive, resolveParams} from "../../../src/params/schema.js";

const schema = defineSchema({
  lr: {type: "number", default: 0.01, min: 1e-4, max: 1, scale: "log", doc: "step size"},
  batch: {type: "int", default: 64, min: 8, max: 512, doc: "batch"},
  embed: {type: "boolean", default: true, doc: "embedding"},
  loss: {type: "enum", default: "ce", options: ["ce", "gce"], doc: "loss"},
  q: {type: "number", default: 0.7, min: 0.05, max: 1, doc: "q", when: {loss: ["gce"]}}
});

describe("resolveParams(schema, partial)", () => {
  test("fills defaults", () => {
    expect(resolveParams(schema, {batch: 32})).toEqual({...defaults(schema), batch: 32});
  });
  test("throws naming the key and value for out-of-range or mistyped values", () => {
    expect(() => resolveParams(schema, {lr: -1})).toThrow("invalid lr: -1");
    expect(() => resolveParams(schema, {batch: 8.5})).toThrow("invalid batch: 8.5");
    expect(() => resolveParams(schema, {loss: "mse" as "ce"})).toThrow('invalid loss: "mse"');
  });
  test("rejects unknown keys", () => {
    expect(() => resolveParams(schema, {momentum: 0.9} as never)).toThrow("unknown parameter: momentum");
  });
  test("defineSchema rejects a default outside its own range", () => {
    expect(() => defineSchema({x: {type: "number", default: 2, max: 1, doc: ""}})).toThrow("invalid x: 2");
  });
});

describe("URL codec", () => {
  test("encode → decode round-trips every value", () => {
    const p = {...defaults(schema), lr: 0.0031, batch: 128, embed: false, loss: "gce" as const, q: 0.35};
    const {params, problems} = decodeParams(schema, "#" + encodeParams(schema, p));
    expect(problems).toEqual([]);
    expect(params).toEqual(p);
  });
  test("bad values fall back to their defaults with a notice, good ones are kept", () => {
    const {params, problems} = decodeParams(schema, "lr=banana&batch=4&embed=maybe&loss=mse&q=0.5&extra=1");
    expect(params).toEqual({...defaults(schema), q: 0.5});
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe('lr="banana" is not valid (expected a number from 0.0001 to 1); using 0.01');
    expect(problems[1]).toContain("batch=");
    expect(problems[3]).toContain("expected one of ce, gce");
  });
  test("an empty hash gives the defaults and no problems", () => {
    expect(decodeParams(schema, "")).toEqual({params: defaults(schema), problems: []});
  });
});

test("isActive follows the `when` condition", () => {
  expect(isActive(schema.q, {loss: "gce"})).toBe(true);
  expect(isActive(schema.q, {loss: "ce"})).toBe(false);
  expect(isActive(schema.lr, {})).toBe(true);
});
