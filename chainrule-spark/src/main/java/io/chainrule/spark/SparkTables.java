package io.chainrule.spark;

import io.chainrule.Tensor;
import io.chainrule.data.TensorDataset;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.UserDefinedType;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Tables for the program's {@code --data FORMAT:PATH}: whatever Spark reads, brought into the driver as tensors.
 * The label is the column {@code label} (whole numbers ≥ 0: class indices); the features are the column
 * {@code features} when there is one ({@code array<float>}, {@code array<double>} or a Spark ML vector), else every
 * other numeric column in the table's order. Values are used as they are (no standardisation).
 */
final class SparkTables {
    static final Set<String> FORMATS = Set.of("parquet", "csv", "orc", "json");

    private SparkTables() {}

    static TensorDataset read(SparkSession spark, String format, String path, int limit) {
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("unknown table format '" + format + "' (parquet, csv, orc or json)");
        }
        Dataset<Row> df;
        try {
            var reader = spark.read().format(format);
            if (format.equals("csv")) reader = reader.option("header", "true").option("inferSchema", "true");
            df = reader.load(path);
        } catch (Exception e) { // AnalysisException (checked, thrown undeclared): no such path, unreadable
            throw new IllegalArgumentException("cannot read " + format + " table " + path + ": " + firstLine(e), e);
        }
        StructField[] fields = df.schema().fields();
        List<String> names = List.of(df.columns());
        if (!names.contains("label")) {
            throw new IllegalArgumentException(path + ": no column 'label' (the class of each row); columns: " + String.join(", ", names));
        }
        boolean vectorColumn = false;
        List<String> features = new ArrayList<>();
        for (StructField f : fields) {
            if (f.name().equals("label")) continue;
            if (f.name().equals("features") && (f.dataType() instanceof ArrayType || isVector(f.dataType()))) {
                vectorColumn = true;
                features = List.of("features");
                break;
            }
            if (f.dataType() instanceof NumericType) features.add(f.name());
        }
        if (features.isEmpty()) {
            throw new IllegalArgumentException(path + ": no numeric feature columns besides 'label' and no 'features' column");
        }
        DataType lt = df.schema().apply("label").dataType();
        if (!(lt instanceof NumericType)) {
            throw new IllegalArgumentException(path + ": column 'label' is " + lt.simpleString() + ", not a class number");
        }
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        for (String f : features) cols.add(df.col(f));
        cols.add(df.col("label"));
        Dataset<Row> sel = df.select(cols.toArray(new org.apache.spark.sql.Column[0]));
        if (limit > 0) sel = sel.limit(limit);
        List<Row> rows = sel.collectAsList();
        if (rows.isEmpty()) throw new IllegalArgumentException(path + ": no rows");
        int n = rows.size();
        int labelAt = features.size();
        int d = vectorColumn ? width(rows.get(0), 0) : features.size();
        float[] x = new float[Math.multiplyExact(n, d)];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            if (r.isNullAt(labelAt)) throw new IllegalArgumentException(path + " row " + i + ": the label is empty");
            double label = ((Number) r.get(labelAt)).doubleValue();
            if (label < 0 || label != Math.rint(label)) {
                throw new IllegalArgumentException(path + " row " + i + ": the label " + label + " is not a class number 0, 1, 2, ...");
            }
            y[i] = (long) label;
            if (vectorColumn) {
                float[] v = RowColumns.convert(r, i, true).features();
                if (v.length != d) throw new IllegalArgumentException(path + " row " + i + " has " + v.length + " features where row 0 has " + d);
                System.arraycopy(v, 0, x, i * d, d);
            } else {
                for (int j = 0; j < d; j++) {
                    if (r.isNullAt(j)) throw new IllegalArgumentException(path + " row " + i + ": column '" + features.get(j) + "' is empty");
                    x[i * d + j] = ((Number) r.get(j)).floatValue();
                }
            }
        }
        return new TensorDataset(Tensor.of(x, n, d), Tensor.of(y, n));
    }

    private static int width(Row r, int i) {
        return RowColumns.convert(r, 0, true).features().length;
    }

    private static boolean isVector(DataType t) {
        return t instanceof UserDefinedType<?> u && Vector.class.isAssignableFrom(u.userClass());
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }
}
