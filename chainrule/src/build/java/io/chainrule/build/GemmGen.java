package io.chainrule.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes chainrule's GEMM micro-kernels, both precisions and several tile shapes, into
 * {@code <outDir>/io/chainrule/tensor/}: {@code SgemmKernel} and {@code DgemmKernel} (packing and copying), one
 * subclass per tile shape ({@code SgemmKernel6x4}: 6 rows × 4 vectors), and {@code GemmKernels}, which makes one by
 * name. The build runs it in generate-sources ({@code java GemmGen.java outDir}, from src/build/java/io/chainrule/build); the output is not committed.
 *
 * <p>Every kernel class holds its own {@code static final} species and vector class, and casts each vector it calls
 * a method on to that class: C2 then knows the receiver's exact class and binds the Vector API's calls statically,
 * whatever the rest of the program did to the type profiles inside the Vector API (issue 15: shared profiles polluted
 * by other species made JDK 17 compile the kernels with virtual calls, boxed vectors and the API's Java fallback).
 */
public final class GemmGen {
    /** Tile shapes, rows × vectors; {@code GemmTile} chooses among them. */
    static final List<int[]> SHAPES = List.of(new int[] {4, 2}, new int[] {6, 2}, new int[] {8, 2},
            new int[] {4, 3}, new int[] {6, 3}, new int[] {8, 3}, new int[] {4, 4}, new int[] {6, 4});

    /** One precision: its Java type, boxed type, vector class, class-name prefix and zero literal. */
    record Prec(String t, String boxed, String vec, String prefix, String zero, String bits) {}

    static final Prec FLOAT = new Prec("float", "Float", "FloatVector", "Sgemm", "0f", "float32");
    static final Prec DOUBLE = new Prec("double", "Double", "DoubleVector", "Dgemm", "0d", "float64");

    private static final String HEADER = "// Generated from chainrule/src/build/java/io/chainrule/build/GemmGen.java; do not edit.\n";

    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: java GemmGen.java <outDir>");
        Path dir = Path.of(args[0], "io", "chainrule", "tensor");
        Files.createDirectories(dir);
        for (Prec p : List.of(FLOAT, DOUBLE)) {
            write(dir, p.prefix + "Kernel", base(p));
            for (int[] s : SHAPES) write(dir, p.prefix + "Kernel" + s[0] + "x" + s[1], tile(p, s[0], s[1]));
        }
        write(dir, "GemmKernels", factory());
    }

    private static void write(Path dir, String name, String text) throws IOException {
        Path f = dir.resolve(name + ".java");
        byte[] bytes = (HEADER + text).getBytes(StandardCharsets.UTF_8);
        // Unchanged output keeps its time stamp, so the compiler does not rebuild what did not change.
        if (Files.exists(f) && java.util.Arrays.equals(Files.readAllBytes(f), bytes)) return;
        Files.write(f, bytes);
    }

    /** {@code GemmKernels.of(float32, shape)}: a kernel by precision and shape, or null for an unknown shape. */
    static String factory() {
        StringBuilder sb = new StringBuilder();
        sb.append("package io.chainrule.tensor;\n\n");
        sb.append("/** Makes the generated {@link GemmKernel}s by precision and tile shape. */\n");
        sb.append("final class GemmKernels {\n");
        sb.append("    /** The tile shapes generated, rows x vectors. */\n");
        sb.append("    static final String[] SHAPES = {");
        for (int i = 0; i < SHAPES.size(); i++) {
            sb.append(i > 0 ? ", " : "").append('"').append(SHAPES.get(i)[0]).append('x').append(SHAPES.get(i)[1])
                    .append('"');
        }
        sb.append("};\n\n    private GemmKernels() {}\n\n");
        sb.append("    /** A new kernel of {@code shape} (e.g. {@code \"6x4\"}), float32 or float64; null if unknown. */\n");
        sb.append("    static GemmKernel of(boolean float32, String shape) {\n");
        sb.append("        switch (shape) {\n");
        for (int[] s : SHAPES) {
            String n = s[0] + "x" + s[1];
            sb.append("            case \"").append(n).append("\": return float32 ? new SgemmKernel").append(n)
                    .append("() : new DgemmKernel").append(n).append("();\n");
        }
        sb.append("            default: return null;\n        }\n    }\n}\n");
        return sb.toString();
    }

    /** The precision's base class: everything but the kernel loops, in plain Java. */
    static String base(Prec p) {
        String s = """
                package io.chainrule.tensor;

                /** The BITS half of {@link GemmKernel} that does not depend on the tile shape. */
                abstract class PREFIXKernel extends GemmKernel {
                    PREFIXKernel(int mr, int vectors, int lanes) {
                        super(mr, vectors, lanes);
                    }

                    @Override
                    final Object newArray(int n) {
                        return new T[n];
                    }

                    @Override
                    final int length(Object array) {
                        return ((T[]) array).length;
                    }

                    @Override
                    final void addRow(Object tileArray, int tOff, Object cArray, int cOff, int n) {
                        T[] tile = (T[]) tileArray, c = (T[]) cArray;
                        for (int j = 0; j < n; j++) c[cOff + j] += tile[tOff + j];
                    }

                    @Override
                    final void transpose(Object srcArray, int sOff, int lds, int rows, int cols,
                                         Object dstArray, int dOff, int ldd) {
                        T[] src = (T[]) srcArray, dst = (T[]) dstArray;
                        for (int i = 0; i < rows; i++) {
                            int s = sOff + i * lds;
                            for (int j = 0; j < cols; j++) dst[dOff + j * ldd + i] = src[s + j];
                        }
                    }

                    @Override
                    final void copyRows(Object aArray, int src, int lda, int rows, int kc, Object dstArray) {
                        T[] a = (T[]) aArray, dst = (T[]) dstArray;
                        for (int r = 0; r < mr; r++) {
                            if (r < rows) System.arraycopy(a, src + r * lda, dst, r * kc, kc);
                            else java.util.Arrays.fill(dst, r * kc, (r + 1) * kc, ZERO);
                        }
                    }

                    @Override
                    final void packA(boolean transA, Object aArray, int aOff, int lda, int i0, int mb, int p0, int kc,
                                     Object apArray, int s0, int s1) {
                        T[] a = (T[]) aArray, ap = (T[]) apArray;
                        int mr = this.mr;
                        for (int s = s0; s < s1; s++) {
                            int base = s * mr * kc, rows = Math.min(mr, mb - s * mr), i = i0 + s * mr;
                            if (transA) {
                                for (int p = 0; p < kc; p++) {
                                    int src = aOff + (p0 + p) * lda + i, dst = base + p * mr;
                                    for (int r = 0; r < rows; r++) ap[dst + r] = a[src + r];
                                    for (int r = rows; r < mr; r++) ap[dst + r] = ZERO;
                                }
                            } else {
                                for (int r = 0; r < mr; r++) {
                                    int dst = base + r;
                                    if (r < rows) {
                                        int src = aOff + (i + r) * lda + p0;
                                        for (int p = 0; p < kc; p++) ap[dst + p * mr] = a[src + p];
                                    } else {
                                        for (int p = 0; p < kc; p++) ap[dst + p * mr] = ZERO;
                                    }
                                }
                            }
                        }
                    }

                    @Override
                    final void packB(boolean transB, Object bArray, int bOff, int ldb, int j0, int nb, int p0, int kc,
                                     Object bpArray, int s0, int s1) {
                        T[] b = (T[]) bArray, bp = (T[]) bpArray;
                        int nr = this.nr;
                        for (int s = s0; s < s1; s++) {
                            int base = s * nr * kc, cols = Math.min(nr, nb - s * nr), j = j0 + s * nr;
                            if (transB) {
                                for (int q = 0; q < nr; q++) {
                                    int dst = base + q;
                                    if (q < cols) {
                                        int src = bOff + (j + q) * ldb + p0;
                                        for (int p = 0; p < kc; p++) bp[dst + p * nr] = b[src + p];
                                    } else {
                                        for (int p = 0; p < kc; p++) bp[dst + p * nr] = ZERO;
                                    }
                                }
                            } else {
                                for (int p = 0; p < kc; p++) {
                                    int src = bOff + (p0 + p) * ldb + j, dst = base + p * nr;
                                    System.arraycopy(b, src, bp, dst, cols);
                                    if (cols < nr) java.util.Arrays.fill(bp, dst + cols, dst + nr, ZERO);
                                }
                            }
                        }
                    }
                }
                """;
        return s.replace("PREFIX", p.prefix).replace("BITS", p.bits).replace("T[", p.t + "[").replace("ZERO", p.zero);
    }

    /** One tile shape's kernels: packed A with packed or strided B, and A read in place by rows. */
    static String tile(Prec p, int mr, int nv) {
        String cls = p.prefix + "Kernel" + mr + "x" + nv;
        StringBuilder sb = new StringBuilder();
        sb.append("package io.chainrule.tensor;\n\n");
        sb.append("import jdk.incubator.vector.").append(p.vec).append(";\n");
        sb.append("import jdk.incubator.vector.VectorSpecies;\n\n");
        sb.append("/**\n * ").append(p.bits).append(" micro-kernels of ").append(mr).append(" rows × ").append(nv)
                .append(" vectors (see {@link GemmKernel#kernel}).\n");
        sb.append(" *\n * <p>Three copies of one loop, so that each has constant strides where it can: a stride the JIT\n")
                .append(" * sees as a constant folds into the addressing, and an index linear in the loop counter lets it\n")
                .append(" * hoist the bounds checks. Each writes C itself, with no helper taking vectors, and casts every\n")
                .append(" * vector it calls a method on to {@link #V}, so that C2 binds the calls statically (see GemmGen).\n")
                .append(" */\n");
        sb.append("final class ").append(cls).append(" extends ").append(p.prefix).append("Kernel {\n");
        sb.append("    private static final VectorSpecies<").append(p.boxed).append("> S = ").append(p.vec)
                .append(".SPECIES_PREFERRED;\n");
        sb.append("    /** The species' concrete vector class: a cast to it tells C2 the exact receiver class. */\n");
        sb.append("    private static final Class<? extends ").append(p.vec).append("> V = S.vectorType().asSubclass(")
                .append(p.vec).append(".class);\n");
        sb.append("    private static final int L = S.length();\n");
        sb.append("    private static final int MR = ").append(mr).append(", NR = ").append(nv).append(" * L;\n\n");
        sb.append("    ").append(cls).append("() {\n        super(MR, ").append(nv).append(", L);\n    }\n\n");
        sb.append("    @Override\n    String shape() {\n        return \"").append(mr).append('x').append(nv)
                .append("\";\n    }\n\n");
        sb.append("""
                    @Override
                    void kernel(boolean aRows, boolean bStrided, int kc, Object a, int ai, int lda, Object b, int bi,
                                int bs, Object c, int ci, int ldc, boolean overwrite) {
                        if (aRows) rows(kc, (T[]) a, ai, lda, (T[]) b, bi, (T[]) c, ci, ldc, overwrite);
                        else if (bStrided) strided(kc, (T[]) a, ai, (T[]) b, bi, bs, (T[]) c, ci, ldc, overwrite);
                        else packed(kc, (T[]) a, ai, (T[]) b, bi, (T[]) c, ci, ldc, overwrite);
                    }

                """.replace("T[", p.t + "["));
        String t = p.t, v = p.vec;
        // packed: A packed, B packed
        sb.append("    /** Packed A, packed B. */\n");
        sb.append("    private static void packed(int kc, ").append(t).append("[] a, int ai, ").append(t)
                .append("[] b, int bi, ").append(t).append("[] c, int ci, int ldc, boolean overwrite) {\n");
        body(sb, p, mr, nv, "", "int ao = ai + p * MR, bo = bi + p * NR;", "bo", r -> "a[ao + " + r + "]", "p++");
        sb.append("    /** Packed A, B strips of any row stride {@code bs}. */\n");
        sb.append("    private static void strided(int kc, ").append(t).append("[] a, int ai, ").append(t)
                .append("[] b, int bi, int bs, ").append(t).append("[] c, int ci, int ldc, boolean overwrite) {\n");
        body(sb, p, mr, nv, "", "int ao = ai + p * MR;", "bi", r -> "a[ao + " + r + "]", "p++, bi += bs");
        sb.append("    /** A read in place from MR rows of stride {@code lda}, packed B. */\n");
        sb.append("    private static void rows(int kc, ").append(t).append("[] a, int ai, int lda, ").append(t)
                .append("[] b, int bi, ").append(t).append("[] c, int ci, int ldc, boolean overwrite) {\n");
        StringBuilder rowsInit = new StringBuilder("        int a0 = ai");
        for (int r = 1; r < mr; r++) rowsInit.append(", a").append(r).append(" = a").append(r - 1).append(" + lda");
        rowsInit.append(";\n");
        body(sb, p, mr, nv, rowsInit.toString(), "int bo = bi + p * NR;", "bo", r -> "a[a" + r + " + p]", "p++");
        sb.append("}\n");
        return sb.toString().replace("VEC", v);
    }

    /** The loop of one kernel and its store of C; {@code aElem} gives row r's element of A at p. */
    private static void body(StringBuilder sb, Prec p, int mr, int nv, String init, String index, String bRow,
                             java.util.function.IntFunction<String> aElem, String step) {
        sb.append(init);
        sb.append("        VEC z = V.cast(VEC.zero(S));\n");
        for (int r = 0; r < mr; r++) {
            sb.append("        VEC ");
            for (int j = 0; j < nv; j++) sb.append(j > 0 ? ", " : "").append("c").append(r).append(j).append(" = z");
            sb.append(";\n");
        }
        sb.append("        for (int p = 0; p < kc; ").append(step).append(") {\n");
        sb.append("            ").append(index).append('\n');
        for (int j = 0; j < nv; j++) {
            sb.append("            VEC b").append(j).append(" = V.cast(VEC.fromArray(S, b, ").append(bRow)
                    .append(j == 0 ? "" : " + " + (j == 1 ? "L" : j + " * L")).append("));\n");
        }
        for (int r = 0; r < mr; r++) {
            sb.append("            ").append(r == 0 ? "VEC " : "").append("x = V.cast(VEC.broadcast(S, ")
                    .append(aElem.apply(r)).append("));\n");
            for (int j = 0; j < nv; j++) {
                sb.append("            c").append(r).append(j).append(" = b").append(j).append(".fma(x, c")
                        .append(r).append(j).append(");\n");
            }
        }
        sb.append("        }\n");
        sb.append("        if (overwrite) {\n");
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nv; j++) {
                sb.append("            V.cast(c").append(r).append(j).append(").intoArray(c, ").append(cIndex(r, j))
                        .append(");\n");
            }
        }
        sb.append("        } else {\n");
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nv; j++) {
                String ix = cIndex(r, j);
                sb.append("            V.cast(V.cast(VEC.fromArray(S, c, ").append(ix).append(")).add(c").append(r)
                        .append(j).append(")).intoArray(c, ").append(ix).append(");\n");
            }
        }
        sb.append("        }\n    }\n\n");
    }

    private static String cIndex(int r, int j) {
        String row = r == 0 ? "ci" : r == 1 ? "ci + ldc" : "ci + " + r + " * ldc";
        return j == 0 ? row : row + " + " + (j == 1 ? "L" : j + " * L");
    }
}
