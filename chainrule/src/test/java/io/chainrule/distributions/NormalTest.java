package io.chainrule.distributions;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalTest {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private static Tensor f64(double... v) {
        return Tensor.of(v);
    }

    @Test
    void standardNormalValuesArePyTorchs() {
        Normal n = new Normal(Tensor.scalar(0.0), Tensor.scalar(1.0));
        // torch.distributions.Normal(0., 1.).log_prob(torch.tensor(0.)) == -0.9189385, .entropy() == 1.4189385
        assertEquals(-0.9189385, n.logProb(Tensor.scalar(0.0)).item(), 1e-7);
        assertEquals(1.4189385, n.entropy().item(), 1e-7);
        assertEquals(-1.4189385, n.logProb(Tensor.scalar(1.0)).item(), 1e-7);
        assertArrayEquals(new int[0], n.rsample().shape());
        assertEquals(DType.FLOAT32, n.rsample().dtype());
    }

    @Test
    void logProbEntropyAndKlMatchClosedForms() {
        double[] mu = {0.5, -1.0, 2.0}, sigma = {0.3, 1.0, 2.5}, v = {0.1, 0.0, 5.0};
        Normal n = new Normal(f64(mu), f64(sigma));
        double[] lp = n.logProb(f64(v)).toDoubleArray(), h = n.entropy().toDoubleArray();
        for (int i = 0; i < 3; i++) {
            double z = (v[i] - mu[i]) / sigma[i];
            assertEquals(-0.5 * z * z - Math.log(sigma[i]) - 0.5 * LOG_2PI, lp[i], 1e-12);
            assertEquals(0.5 + 0.5 * LOG_2PI + Math.log(sigma[i]), h[i], 1e-12);
        }
        // KL(N(0,1) || N(1,2)) = log 2 + (1 + 1)/8 − 1/2
        Tensor kl = Normal.klDivergence(new Normal(f64(0), f64(1)), new Normal(f64(1), f64(2)));
        assertEquals(Math.log(2) + 0.25 - 0.5, kl.item(), 1e-12);
        // KL(p || p) = 0, and KL(p || q) against the Monte Carlo-free closed form for several pairs
        assertArrayEquals(new double[3], Normal.klDivergence(n, n).toDoubleArray(), 1e-12);
        double[] mu2 = {0.0, 1.0, -2.0}, sigma2 = {1.0, 0.5, 3.0};
        double[] k = Normal.klDivergence(n, new Normal(f64(mu2), f64(sigma2))).toDoubleArray();
        for (int i = 0; i < 3; i++) {
            double d = mu[i] - mu2[i];
            double expected = Math.log(sigma2[i] / sigma[i]) + (sigma[i] * sigma[i] + d * d) / (2 * sigma2[i] * sigma2[i]) - 0.5;
            assertEquals(expected, k[i], 1e-12);
        }
    }

    @Test
    void parametersBroadcast() {
        Normal n = new Normal(Tensor.zeros(3, 1), Tensor.ones(1, 4));
        assertArrayEquals(new int[] {3, 4}, n.rsample().shape());
        assertArrayEquals(new int[] {3, 4}, n.sample().shape());
        assertArrayEquals(new int[] {3, 4}, n.entropy().shape());
        assertArrayEquals(new int[] {3, 4}, n.mean().shape());
        assertArrayEquals(new int[] {3, 4}, n.stddev().shape());
        assertArrayEquals(new int[] {2, 3, 4}, n.logProb(Tensor.zeros(2, 1, 1)).shape());
        assertThrows(IllegalArgumentException.class, () -> n.logProb(Tensor.zeros(5)));
        assertThrows(IllegalArgumentException.class, () -> new Normal(Tensor.zeros(3), Tensor.ones(2)));
    }

    @Test
    void rsampleIsReparameterised() {
        // E[z²] = μ² + σ², so d/dμ = 2μ and d/dσ = 2σ; the pathwise estimate over 200,000 samples is within 2%.
        double mu = 0.7, sigma = 1.3;
        Tensor m = Tensor.scalar(mu, DType.FLOAT64).requiresGrad(true);
        Tensor s = Tensor.scalar(sigma, DType.FLOAT64).requiresGrad(true);
        Normal n = new Normal(m.expand(200_000), s.expand(200_000));
        Tensor z = n.rsample(new Generator(123));
        assertEquals(DType.FLOAT64, z.dtype());
        z.square().mean().backward();
        assertEquals(2 * mu, m.grad().item(), 0.02 * 2 * mu);
        assertEquals(2 * sigma, s.grad().item(), 0.02 * 2 * sigma);
        // and the samples themselves have the right moments
        double mean = z.mean().item(), sd = z.detach().std().item();
        assertEquals(mu, mean, 0.02);
        assertEquals(sigma, sd, 0.02);
    }

    @Test
    void samplesAreReproducible() {
        Normal n = new Normal(f64(1, 2, 3), f64(0.5, 0.5, 0.5));
        assertArrayEquals(n.rsample(new Generator(5)).toDoubleArray(), n.rsample(new Generator(5)).toDoubleArray(), 0.0);
        Tensor.manualSeed(17);
        double[] a = n.rsample().toDoubleArray();
        Tensor.manualSeed(17);
        double[] b = n.sample().toDoubleArray();
        assertArrayEquals(a, b, 0.0);
        // the default generator and an explicit one with the same seed give the same stream
        assertArrayEquals(a, n.rsample(new Generator(17)).toDoubleArray(), 0.0);
        assertNotEquals(a[0], n.rsample().toDoubleArray()[0]);
    }

    @Test
    void sampleCarriesNoGradient() {
        Tensor m = Tensor.zeros(3).requiresGrad(true);
        Normal n = new Normal(m, Tensor.ones(3));
        assertFalse(n.sample().requiresGrad());
        assertTrue(n.rsample().requiresGrad());
        assertTrue(n.logProb(Tensor.zeros(3)).requiresGrad());
    }

    @Test
    void nonPositiveStdIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Normal(Tensor.zeros(2), f64(1.0, 0.0)));
        assertTrue(e.getMessage().contains("Normal") && e.getMessage().contains("0.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Normal(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new Normal(Tensor.zeros(1), f64(Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> new Normal(Tensor.zeros(1), null));
        assertThrows(IllegalArgumentException.class, () -> new Normal(Tensor.of(new long[] {0}), Tensor.ones(1)));
    }
}
