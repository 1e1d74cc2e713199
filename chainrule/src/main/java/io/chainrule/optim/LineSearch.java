package io.chainrule.optim;

/**
 * The strong-Wolfe line search of {@code torch.optim.lbfgs} ({@code _strong_wolfe} and
 * {@code _cubic_interpolate}, themselves ported from Torch7's {@code lswolfe.lua} and {@code polyinterp.lua}):
 * bracket an interval containing a point that satisfies the strong Wolfe conditions, then zoom in by cubic
 * interpolation. Used through {@link ClosureOptimizer#searchLine}.
 */
final class LineSearch {
    private LineSearch() {}

    /** f and ∇f at θ + t·d (the parameters are restored afterwards). */
    @FunctionalInterface
    interface Objective {
        Point at(double t);
    }

    /** A function value and its gradient. */
    record Point(double f, double[] g) {}

    /**
     * The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to the bounds (by
     * default the interval between the points); their midpoint when the cubic has no minimum.
     */
    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                                   double lo, double hi) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0) {
            double d2 = Math.sqrt(d2Square);
            double minPos = x1 <= x2
                    ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.min(Math.max(minPos, lo), hi);
        }
        return (lo + hi) / 2.0;
    }

    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2) {
        return cubicInterpolate(x1, f1, g1, x2, f2, g2, Math.min(x1, x2), Math.max(x1, x2));
    }

    /**
     * Searches along {@code d} from the current point (loss {@code f}, gradient {@code g}, directional derivative
     * {@code gtd = g·d < 0}) starting with step {@code t}: sufficient decrease {@code f(t) ≤ f + c1·t·gtd} and
     * curvature {@code |g(t)·d| ≤ −c2·gtd}, at most {@code maxLs} evaluations past the first.
     */
    static ClosureOptimizer.LineSearchResult strongWolfe(Objective obj, double t, double[] d, double f, double[] g, double gtd,
                              double c1, double c2, double toleranceChange, int maxLs) {
        double dNorm = FlatParams.maxAbs(d);
        Point p = obj.at(t);
        double fNew = p.f();
        double[] gNew = p.g();
        int evals = 1;
        double gtdNew = FlatParams.dot(gNew, d);

        // Bracketing phase. A one-point "bracket" (Wolfe point found) is stored twice.
        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        double[] gPrev = g;
        double[] bracket = null, bracketF = null, bracketGtd = null;
        double[][] bracketG = null;
        boolean done = false;
        int lsIter = 0;
        while (lsIter < maxLs) {
            if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
                bracket = new double[] {tPrev, t};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new double[][] {gPrev, gNew};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            if (Math.abs(gtdNew) <= -c2 * gtd) {
                bracket = new double[] {t, t};
                bracketF = new double[] {fNew, fNew};
                bracketG = new double[][] {gNew, gNew};
                bracketGtd = new double[] {gtdNew, gtdNew};
                done = true;
                break;
            }
            if (gtdNew >= 0) {
                bracket = new double[] {tPrev, t};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new double[][] {gPrev, gNew};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            // Extrapolate: the cubic's minimizer, kept between just past t and 10·t.
            double minStep = t + 0.01 * (t - tPrev);
            double maxStep = t * 10;
            double tmp = t;
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
            tPrev = tmp;
            fPrev = fNew;
            gPrev = gNew;
            gtdPrev = gtdNew;
            p = obj.at(t);
            fNew = p.f();
            gNew = p.g();
            evals++;
            gtdNew = FlatParams.dot(gNew, d);
            lsIter++;
        }
        if (lsIter == maxLs) {
            bracket = new double[] {0, t};
            bracketF = new double[] {f, fNew};
            bracketG = new double[][] {g, gNew};
            bracketGtd = new double[] {gtd, gtdNew};
        }

        // Zoom phase: shrink the bracket until a point satisfies the strong Wolfe conditions.
        boolean insufficientProgress = false;
        int low = bracketF[0] <= bracketF[1] ? 0 : 1;
        int high = 1 - low;
        while (!done && lsIter < maxLs) {
            if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
            t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);

            // A trial too close to an end of the bracket makes little progress: after one such trial, or when it
            // lands on an end, move it to 10% of the bracket's length inside.
            double bMax = Math.max(bracket[0], bracket[1]), bMin = Math.min(bracket[0], bracket[1]);
            double eps = 0.1 * (bMax - bMin);
            if (Math.min(bMax - t, t - bMin) < eps) {
                if (insufficientProgress || t >= bMax || t <= bMin) {
                    t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
                    insufficientProgress = false;
                } else {
                    insufficientProgress = true;
                }
            } else {
                insufficientProgress = false;
            }

            p = obj.at(t);
            fNew = p.f();
            gNew = p.g();
            evals++;
            gtdNew = FlatParams.dot(gNew, d);
            lsIter++;

            if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]) {
                // Not enough decrease, or no lower than the low end: t becomes the high end.
                bracket[high] = t;
                bracketF[high] = fNew;
                bracketG[high] = gNew;
                bracketGtd[high] = gtdNew;
                low = bracketF[0] <= bracketF[1] ? 0 : 1;
                high = 1 - low;
            } else {
                if (Math.abs(gtdNew) <= -c2 * gtd) {
                    done = true;
                } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
                    // The old high end becomes the low end.
                    bracket[high] = bracket[low];
                    bracketF[high] = bracketF[low];
                    bracketG[high] = bracketG[low];
                    bracketGtd[high] = bracketGtd[low];
                }
                bracket[low] = t;
                bracketF[low] = fNew;
                bracketG[low] = gNew;
                bracketGtd[low] = gtdNew;
            }
        }
        return new ClosureOptimizer.LineSearchResult(bracketF[low], bracketG[low], bracket[low], evals);
    }
}
