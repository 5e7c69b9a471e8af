// Arithmetic without eval: a recursive-descent parser over + - * / % ^, parentheses, unary minus.
import { z } from 'zod';
import type { Tool } from './registry';

const Input = z.object({ expression: z.string().min(1).max(500) });

export function evaluate(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+|[-+*/%^()]|\S/gi) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];

  function primary(): number {
    const t = take();
    if (t === undefined) throw new Error('the expression ends too early');
    if (t === '(') {
      const v = sum();
      if (take() !== ')') throw new Error('a closing parenthesis is missing');
      return v;
    }
    if (t === '-') return -unary();
    if (t === '+') return unary();
    const n = Number(t);
    if (Number.isNaN(n)) throw new Error(`unexpected "${t}"`);
    return n;
  }
  function unary(): number {
    return primary();
  }
  function power(): number {
    const base = unary();
    if (peek() === '^') {
      take();
      return base ** power(); // right-associative
    }
    return base;
  }
  function product(): number {
    let v = power();
    for (let t = peek(); t === '*' || t === '/' || t === '%'; t = peek()) {
      take();
      const r = power();
      v = t === '*' ? v * r : t === '/' ? v / r : v % r;
    }
    return v;
  }
  function sum(): number {
    let v = product();
    for (let t = peek(); t === '+' || t === '-'; t = peek()) {
      take();
      const r = product();
      v = t === '+' ? v + r : v - r;
    }
    return v;
  }

  const value = sum();
  if (pos < tokens.length) throw new Error(`unexpected "${tokens[pos]}"`);
  if (!Number.isFinite(value)) throw new Error('the result is not a finite number');
  return value;
}

export const calculator: Tool<typeof Input> = {
  name: 'calculator',
  description: 'Evaluates an arithmetic expression (+ - * / % ^ and parentheses) and returns the number.',
  inputSchema: {
    type: 'object',
    properties: { expression: { type: 'string', description: 'For example "(17.5 * 4) / 2 + 3"' } },
    required: ['expression'],
  },
  validate: Input,
  run: ({ expression }) => String(Number(evaluate(expression).toPrecision(15))),
};
