package io.chainrule.cli.graph;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.cli.CliException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small expression language for {@code chainrule graph}: evaluates e.g. {@code sigmoid(a*wa + b*wb)} on
 * float64 tensors, registering every variable as a leaf that requires grad and every subexpression under its own
 * text, so the picture shows each node's value. Grammar:
 * <pre>
 *   expr    = term (('+' | '-') term)*
 *   term    = unary (('*' | '/' | '@') unary)*        '@' is matrix multiplication
 *   unary   = '-' unary | power
 *   power   = primary ('^' number)?
 *   primary = number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
 * </pre>
 * Functions: sigmoid, tanh, relu, gelu, exp, log, sqrt, sin, cos, abs, square, sum, mean, t (transpose),
 * softmax, logsoftmax (last dim), maximum(a, b), minimum(a, b).
 */
public final class Expression {
    private final String src;
    private final Trace trace;
    private final Map<String, Tensor> given;
    private final Map<String, Tensor> leaves = new LinkedHashMap<>();
    private final Generator generator;
    private int pos;

    private Expression(String src, Trace trace, Map<String, Tensor> given, long seed) {
        this.src = src;
        this.trace = trace;
        this.given = given;
        this.generator = new Generator(seed);
    }

    /** The result of evaluating an expression: its value and the variables it used, in order of appearance. */
    public record Result(Tensor value, Map<String, Tensor> variables) {}

    /**
     * Evaluates {@code src}. Variables named in {@code values} take those values; others get a seeded random
     * scalar (rounded to two decimals so the picture stays readable).
     */
    public static Result evaluate(String src, Map<String, Tensor> values, Trace trace, long seed) {
        Expression e = new Expression(src, trace, values, seed);
        Node root = e.parseExpr();
        e.skipSpace();
        if (e.pos < src.length()) throw e.error("unexpected '" + src.charAt(e.pos) + "'");
        if (e.leaves.isEmpty()) {
            throw new CliException("the expression '" + src + "' has no variables, so there is nothing to differentiate");
        }
        return new Result(root.value, e.leaves);
    }

    /**
     * Parses a variable value: a number {@code 1.5}, a vector {@code [1, 2, 3]} or a matrix {@code [[1, 2], [3, 4]]}
     * (rows may also be separated by ';': {@code [1, 2; 3, 4]}).
     */
    public static Tensor parseValue(String name, String text) {
        String s = text.strip();
        try {
            if (!s.startsWith("[")) return Tensor.scalar(Double.parseDouble(s), DType.FLOAT64);
            String inner = s.substring(1, s.length() - (s.endsWith("]") ? 1 : 0)).strip();
            List<double[]> rows = new ArrayList<>();
            boolean matrix = inner.startsWith("[") || inner.contains(";");
            if (inner.startsWith("[")) {
                for (String r : inner.split("\\]\\s*,?\\s*")) {
                    String row = r.strip();
                    if (row.startsWith(",")) row = row.substring(1).strip();
                    if (row.startsWith("[")) row = row.substring(1);
                    if (!row.isBlank()) rows.add(numbers(row));
                }
            } else {
                for (String r : inner.split(";")) rows.add(numbers(r));
            }
            if (!matrix) return Tensor.of(rows.get(0));
            int cols = rows.get(0).length;
            for (double[] r : rows) {
                if (r.length != cols) {
                    throw new CliException("value of " + name + ": rows have different lengths (" + cols + " and "
                            + r.length + ") in '" + text + "'");
                }
            }
            return Tensor.of(rows.toArray(new double[0][]));
        } catch (NumberFormatException e) {
            throw new CliException("value of " + name + " is not a number, [vector] or [[matrix]]: '" + text + "'");
        }
    }

    private static double[] numbers(String row) {
        String[] parts = row.strip().split("\\s*,\\s*|\\s+");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) v[i] = Double.parseDouble(parts[i].strip());
        return v;
    }

    // ------------------------------------------------------------------------------------------------ parser

    /** A parsed subexpression: its value and its text (the node's label). */
    private record Node(Tensor value, String text, boolean constant) {}

    private Node parseExpr() {
        Node left = parseTerm();
        while (true) {
            skipSpace();
            char c = peek();
            if (c != '+' && c != '-') return left;
            pos++;
            Node right = parseTerm();
            left = binary(left, right, String.valueOf(c), " " + c + " ");
        }
    }

    private Node parseTerm() {
        Node left = parseUnary();
        while (true) {
            skipSpace();
            char c = peek();
            if (c != '*' && c != '/' && c != '@') return left;
            pos++;
            Node right = parseUnary();
            left = binary(left, right, String.valueOf(c), c == '@' ? " @ " : String.valueOf(c));
        }
    }

    private Node parseUnary() {
        skipSpace();
        if (peek() == '-') {
            pos++;
            Node x = parseUnary();
            if (x.constant) return new Node(x.value.neg(), "-" + x.text, true);
            return named("-" + paren(x.text), x.value.neg());
        }
        return parsePower();
    }

    private Node parsePower() {
        Node base = parsePrimary();
        skipSpace();
        if (peek() != '^') return base;
        pos++;
        skipSpace();
        int start = pos;
        Node exp = parseUnary();
        if (!exp.constant) throw errorAt(start, "the exponent after '^' must be a number");
        double p = exp.value.item();
        if (base.constant) return new Node(base.value.pow(p), base.text + "^" + exp.text, true);
        return named(paren(base.text) + "^" + exp.text, base.value.pow(p));
    }

    private Node parsePrimary() {
        skipSpace();
        char c = peek();
        if (c == '(') {
            pos++;
            Node inner = parseExpr();
            expect(')');
            return inner;
        }
        if (Character.isDigit(c) || c == '.') {
            int start = pos;
            while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '.'
                    || src.charAt(pos) == 'e' || src.charAt(pos) == 'E'
                    || ((src.charAt(pos) == '-' || src.charAt(pos) == '+') && (src.charAt(pos - 1) == 'e' || src.charAt(pos - 1) == 'E')))) {
                pos++;
            }
            String num = src.substring(start, pos);
            try {
                return new Node(Tensor.scalar(Double.parseDouble(num), DType.FLOAT64), num, true);
            } catch (NumberFormatException e) {
                throw errorAt(start, "bad number '" + num + "'");
            }
        }
        if (Character.isLetter(c) || c == '_') {
            int start = pos;
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
            String name = src.substring(start, pos);
            skipSpace();
            if (peek() == '(') {
                pos++;
                List<Node> args = new ArrayList<>();
                args.add(parseExpr());
                skipSpace();
                while (peek() == ',') {
                    pos++;
                    args.add(parseExpr());
                    skipSpace();
                }
                expect(')');
                return call(name, args, start);
            }
            return variable(name);
        }
        if (pos >= src.length()) throw error("unexpected end of expression");
        throw error("unexpected '" + c + "'");
    }

    private Node variable(String name) {
        Tensor t = leaves.get(name);
        if (t == null) {
            Tensor v = given.get(name);
            if (v == null) {
                double r = Math.round(Tensor.randn(generator).item() * 100) / 100.0;
                v = Tensor.scalar(r, DType.FLOAT64);
            }
            t = v.to(DType.FLOAT64).detach().clone().requiresGrad(true);
            trace.leaf(name, t);
            leaves.put(name, t);
        }
        return new Node(t, name, false);
    }

    private Node call(String f, List<Node> args, int at) {
        String fl = f.toLowerCase(Locale.ROOT);
        int arity = fl.equals("maximum") || fl.equals("minimum") ? 2 : 1;
        if (args.size() != arity) {
            throw errorAt(at, f + "() takes " + arity + " argument" + (arity == 1 ? "" : "s") + ", got " + args.size());
        }
        Tensor x = args.get(0).value;
        Tensor y;
        try {
            y = switch (fl) {
                case "sigmoid" -> x.sigmoid();
                case "tanh" -> x.tanh();
                case "relu" -> x.relu();
                case "gelu" -> x.gelu();
                case "exp" -> x.exp();
                case "log" -> x.log();
                case "sqrt" -> x.sqrt();
                case "sin" -> x.sin();
                case "cos" -> x.cos();
                case "abs" -> x.abs();
                case "square" -> x.square();
                case "sum" -> x.sum();
                case "mean" -> x.mean();
                case "t" -> x.t();
                case "softmax" -> x.softmax(-1);
                case "logsoftmax" -> x.logSoftmax(-1);
                case "maximum" -> x.maximum(args.get(1).value);
                case "minimum" -> x.minimum(args.get(1).value);
                default -> throw errorAt(at, "unknown function '" + f + "' (known: sigmoid, tanh, relu, gelu, exp, log, "
                        + "sqrt, sin, cos, abs, square, sum, mean, t, softmax, logsoftmax, maximum, minimum)");
            };
        } catch (IllegalArgumentException e) {
            throw new CliException("in " + f + "(...): " + e.getMessage());
        }
        StringBuilder text = new StringBuilder(fl).append('(');
        for (int i = 0; i < args.size(); i++) text.append(i > 0 ? ", " : "").append(args.get(i).text);
        text.append(')');
        boolean constant = args.stream().allMatch(Node::constant);
        return constant ? new Node(y, text.toString(), true) : named(text.toString(), y);
    }

    private Node binary(Node a, Node b, String op, String sep) {
        Tensor r;
        try {
            r = switch (op) {
                case "+" -> b.constant ? a.value.add(b.value.item()) : a.value.add(b.value);
                case "-" -> b.constant ? a.value.sub(b.value.item()) : a.value.sub(b.value);
                case "*" -> b.constant ? a.value.mul(b.value.item()) : a.value.mul(b.value);
                case "/" -> b.constant ? a.value.div(b.value.item()) : a.value.div(b.value);
                case "@" -> a.value.matmul(b.value);
                default -> throw new IllegalStateException(op);
            };
        } catch (IllegalArgumentException e) {
            throw new CliException("in '" + a.text + sep + b.text + "': " + e.getMessage());
        }
        String text = side(a.text, op, false) + sep + side(b.text, op, true);
        return a.constant && b.constant ? new Node(r, text, true) : named(text, r);
    }

    /** Parenthesises an operand whose text would read wrongly next to {@code op}. */
    private static String side(String text, String op, boolean right) {
        boolean hasSum = topLevel(text, '+') || topLevel(text, '-');
        if ((op.equals("*") || op.equals("/") || op.equals("@")) && hasSum) return "(" + text + ")";
        if (op.equals("-") && right && hasSum) return "(" + text + ")";
        return text;
    }

    private static boolean topLevel(String text, char c) {
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '(') depth++;
            else if (ch == ')') depth--;
            else if (ch == c && depth == 0 && i > 0) return true;
        }
        return false;
    }

    private static String paren(String text) {
        return text.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_') ? text : "(" + text + ")";
    }

    private Node named(String text, Tensor value) {
        trace.name(text.length() > 48 ? text.substring(0, 47) + "…" : text, value);
        return new Node(value, text, false);
    }

    private void skipSpace() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
    }

    private char peek() {
        return pos < src.length() ? src.charAt(pos) : '\0';
    }

    private void expect(char c) {
        skipSpace();
        if (peek() != c) throw error(pos >= src.length() ? "expected '" + c + "' before the end" : "expected '" + c + "'");
        pos++;
    }

    private CliException error(String what) {
        return errorAt(pos, what);
    }

    private CliException errorAt(int at, String what) {
        return new CliException("cannot parse expression '" + src + "' at column " + (at + 1) + ": " + what);
    }
}
