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
    private int depth;

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
     * (rows may also be separated by ';': {@code [1, 2; 3, 4]}); strictly, failing with the variable and column.
     */
    public static Tensor parseValue(String name, String text) {
        return ValueParser.parse(name, text);
    }

    // ------------------------------------------------------------------------------------------------ parser

    /** Deeper nesting of parentheses, signs or powers is refused: the parser recurses once per level. */
    static final int MAX_NESTING = 256;

    /** A parsed subexpression: its value and its text (the node's label). */
    private record Node(Tensor value, Text text, boolean constant) {}

    /**
     * A subexpression's text, kept to its first {@link #CAP} characters (labels show 48), with what the
     * parenthesising rules need to know about the whole text: building each text from its operands' in constant
     * time keeps a sum of 50,000 terms linear, where concatenating and rescanning whole texts was quadratic.
     *
     * @param plus      a '+' outside parentheses, past the first character
     * @param minus     a '-' outside parentheses, past the first character
     * @param leadMinus the text starts with '-'
     * @param simple    only letters, digits and '_'
     */
    private record Text(String shown, boolean cut, boolean plus, boolean minus, boolean leadMinus, boolean simple) {
        static final int CAP = 200;

        /** A short text read from the source (a name or a number). */
        static Text of(String s) {
            return new Text(s, false, topLevel(s, '+'), topLevel(s, '-'), s.startsWith("-"),
                    s.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_'));
        }

        private static Text make(String s, boolean cut, boolean plus, boolean minus, boolean leadMinus) {
            boolean over = s.length() > CAP;
            return new Text(over ? s.substring(0, CAP) : s, cut || over, plus, minus, leadMinus, false);
        }

        boolean hasSum() {
            return plus || minus;
        }

        /** "(" + this + ")": nothing is outside the parentheses any more. */
        Text parens() {
            return make("(" + shown + (cut ? "" : ")"), cut, false, false, false);
        }

        /** this + sep + right, as one text. */
        Text then(String sep, Text right) {
            boolean p = plus || sep.contains("+") || right.plus;
            boolean m = minus || sep.contains("-") || right.minus || right.leadMinus;
            if (cut) return new Text(shown, true, p, m, leadMinus, false); // the first CAP characters stay as they are
            return make(shown + sep + right.shown, right.cut, p, m, leadMinus);
        }

        /** prefix + this, for a prefix without signs but a leading '-' (negation) or a function call. */
        Text after(String prefix) {
            boolean neg = prefix.equals("-");
            return make(prefix + shown, cut, plus, minus || (neg && leadMinus), neg);
        }

        @Override
        public String toString() {
            return cut ? shown + "…" : shown;
        }
    }

    private Node parseExpr() {
        enter();
        Node left = parseTerm();
        while (true) {
            skipSpace();
            char c = peek();
            if (c != '+' && c != '-') {
                depth--;
                return left;
            }
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
            enter();
            Node x = parseUnary();
            depth--;
            if (x.constant) return new Node(x.value.neg(), x.text.after("-"), true);
            return named(paren(x.text).after("-"), x.value.neg());
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
        enter();
        Node exp = parseUnary();
        depth--;
        if (!exp.constant) throw errorAt(start, "the exponent after '^' must be a number");
        double p = exp.value.item();
        if (base.constant) return new Node(base.value.pow(p), base.text.then("^", exp.text), true);
        return named(paren(base.text).then("^", exp.text), base.value.pow(p));
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
                return new Node(Tensor.scalar(Double.parseDouble(num), DType.FLOAT64), Text.of(num), true);
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

    /** One more level of recursion, refused past {@link #MAX_NESTING} (a clear error instead of a stack overflow). */
    private void enter() {
        if (++depth > MAX_NESTING) throw error("nested more than " + MAX_NESTING + " levels deep");
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
        return new Node(t, Text.of(name), false);
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
        // "f(a, b)": everything inside the parentheses, so nothing is outside them
        Text inner = args.get(0).text;
        for (int i = 1; i < args.size(); i++) inner = inner.then(", ", args.get(i).text);
        Text text = inner.parens().after(fl);
        text = new Text(text.shown(), text.cut(), false, false, false, false);
        boolean constant = args.stream().allMatch(Node::constant);
        if (constant) return new Node(y, text, true);
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).constant) trace.constant(args.get(i).text.shown(), args.get(i).value, y, i); // maximum(x, 0)
        }
        return named(text, y);
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
        Text text = side(a.text, op, false).then(sep, side(b.text, op, true));
        if (a.constant && b.constant) return new Node(r, text, true);
        // A number beside a variable: the picture shows its value on the constant input (a no-op where the op took
        // it as a plain double and has no slot for it).
        if (a.constant) trace.constant(a.text.shown(), a.value, r, 0);
        if (b.constant) trace.constant(b.text.shown(), b.value, r, 1);
        return named(text, r);
    }

    /** Parenthesises an operand whose text would read wrongly next to {@code op}. */
    private static Text side(Text text, String op, boolean right) {
        if ((op.equals("*") || op.equals("/") || op.equals("@")) && text.hasSum()) return text.parens();
        if (op.equals("-") && right && text.hasSum()) return text.parens();
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

    private static Text paren(Text text) {
        return text.simple() ? text : text.parens();
    }

    private Node named(Text text, Tensor value) {
        String s = text.shown();
        trace.name(s.length() > 48 ? s.substring(0, 47) + "…" : s, value);
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
        // a long expression is shown around the column, so the message stays one readable line
        String shown = src.length() <= 120 ? src
                : (at > 40 ? "…" : "") + src.substring(Math.max(0, at - 40), Math.min(src.length(), at + 40))
                + (at + 40 < src.length() ? "…" : "");
        return new CliException("cannot parse expression '" + shown + "' at column " + (at + 1) + ": " + what);
    }
}
