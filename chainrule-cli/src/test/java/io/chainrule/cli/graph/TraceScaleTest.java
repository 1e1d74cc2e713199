package io.chainrule.cli.graph;

import io.chainrule.Tensor;
import io.chainrule.autograd.Node;
import io.chainrule.cli.CliException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The graph picture of a large expression costs one backward pass and time linear in its size. */
class TraceScaleTest {
    private static String sumOf(int terms, String term) {
        return String.join(" + ", java.util.Collections.nCopies(terms, term));
    }

    @Test
    void everyShareAtABranchComesFromOneBackwardPass() {
        // x feeds 2,000 additions: one share per edge. Computing each share with its own backward (as before) ran
        // backward 2,001 times through x's node; the shares are now what the single pass sent along each edge.
        Trace tr = new Trace();
        Expression.Result r = Expression.evaluate(sumOf(2000, "x"), Map.of("x", Tensor.scalar(0.5)), tr, 0);
        Node<Tensor> x = r.variables().get("x").gradNode();
        int[] visits = {0};
        x.addGradHook(g -> visits[0]++);
        GraphModel g = tr.backward(r.value());
        assertEquals(1, visits[0], "backward passes through x");
        GraphModel.Branch b = g.branchOf(g.find("x"));
        // x + x is one addition reading x twice, then 1,998 more additions read it once each
        assertEquals(1999, b.consumers().size());
        assertEquals(1, b.contributions().stream().filter(t -> t.item() == 2.0).count());
        assertEquals(1998, b.contributions().stream().filter(t -> t.item() == 1.0).count());
        assertEquals(2000.0, g.find("x").grad().item(), 0.0);
    }

    @Test
    void sharesSumToTheTotalWhenAConsumerAlsoReachesTheValueAnotherWay() {
        // y = x·exp(x): mul reads x directly and through exp. Its share is what it sends along its own edge,
        // exp(x) = e, not d(mul)/dx through both paths (2e): the shares then add up to the total, 2e.
        Trace tr = new Trace();
        Expression.Result r = Expression.evaluate("x*exp(x)", Map.of("x", Tensor.scalar(1.0)), tr, 0);
        GraphModel g = tr.backward(r.value());
        GraphModel.Branch b = g.branchOf(g.find("x"));
        double sum = 0;
        for (Tensor share : b.contributions()) {
            assertNotNull(share);
            assertEquals(Math.E, share.item(), 1e-12);
            sum += share.item();
        }
        assertEquals(g.find("x").grad().item(), sum, 1e-12);
        assertTrue(DotWriter.render(g, "x*exp(x)").contains("Σ = 2.7183 + 2.7183 = 5.4366"));
    }

    @Test
    void fiftyThousandTermsRenderInSeconds() {
        // A sanity bound only (a loaded 2-core machine); the test above is the one that fails for a quadratic Trace.
        String expr = String.join("+", java.util.Collections.nCopies(50_000, "x"));
        GraphModel g = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Trace tr = new Trace();
            GraphModel model = tr.backward(Expression.evaluate(expr, Map.of(), tr, 0).value());
            assertTrue(DotWriter.render(model, expr).startsWith("digraph"));
            return model;
        });
        assertEquals(50_000.0, g.find("x").grad().item(), 0.0, "x's gradient is the number of terms");
        assertEquals(50_000, g.vertices().size());
    }

    @Test
    void deepNestingIsAClearErrorNotAStackOverflow() {
        int ok = Expression.MAX_NESTING - 1;
        Expression.Result r = Expression.evaluate("(".repeat(ok) + "x" + ")".repeat(ok), Map.of(), new Trace(), 0);
        assertEquals(0, r.value().dim());
        for (String deep : new String[] {"(".repeat(50_000) + "x" + ")".repeat(50_000), "-".repeat(50_000) + "x",
                "x^" + "-".repeat(50_000) + "1", "sin(".repeat(50_000) + "x" + ")".repeat(50_000)}) {
            CliException e = assertThrows(CliException.class, () -> Expression.evaluate(deep, Map.of(), new Trace(), 0));
            assertTrue(e.getMessage().contains("nested more than " + Expression.MAX_NESTING + " levels"), e.getMessage());
            assertTrue(e.getMessage().length() < 300, "the message shows the expression around the column: " + e.getMessage());
        }
    }
}
