// Evaluates XPath expressions with JavaRosa, the engine of ODK Collect, over a filled-in form:
// the reference impactkit's expression language is tested against.
//
// Run with the JavaRosa inside pyxform's ODK_Validate.jar on the class path:
//   java -cp ODK_Validate.jar JavaRosaOracle.java < cases.json > results.json
// Input: a JSON list of cases {"xform": XML, "instance": XML of the answers,
//   "expressions": [{"context": "/data/household[2]/older", "expression": "..."}]}.
// Output: per case {"nodes": [{"path", "value", "relevant"}], "results": [{"value"} or {"error"}]}:
// the instance after JavaRosa computed every calculate and relevance, then each expression's value.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.condition.EvaluationContext;
import org.javarosa.core.model.instance.FormInstance;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.core.model.instance.TreeReference;
import org.javarosa.model.xform.XFormsModule;
import org.javarosa.xform.parse.XFormParser;
import org.javarosa.xform.util.XFormUtils;
import org.javarosa.xpath.XPathNodeset;
import org.javarosa.xpath.XPathParseTool;
import org.javarosa.xpath.expr.XPathExpression;

public class JavaRosaOracle {
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        new XFormsModule().registerModule();
        JsonNode cases = JSON.readTree(System.in);
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode item : cases) {
            out.add(run(item));
        }
        System.out.println(JSON.writeValueAsString(out));
    }

    static ObjectNode run(JsonNode item) {
        ObjectNode result = JSON.createObjectNode();
        try {
            FormDef form = XFormUtils.getFormFromInputStream(
                new ByteArrayInputStream(item.get("xform").asText().getBytes(StandardCharsets.UTF_8)));
            if (item.hasNonNull("instance")) {
                // As ODK Collect opens a saved form: the saved answers poured into the form's template.
                FormInstance saved = XFormParser.restoreDataModel(
                    item.get("instance").asText().getBytes(StandardCharsets.UTF_8), null);
                TreeElement template = form.getMainInstance().getRoot().deepCopy(true);
                template.populate(saved.getRoot(), form);
                form.getMainInstance().setRoot(template);
                form.initialize(false, new InstanceInitializationFactory());
            } else {
                form.initialize(true, new InstanceInitializationFactory());
            }
            ArrayNode nodes = JSON.createArrayNode();
            walk(form.getMainInstance().getRoot(), nodes);
            result.set("nodes", nodes);
            ArrayNode results = JSON.createArrayNode();
            for (JsonNode expression : item.path("expressions")) {
                results.add(evaluate(form, expression.get("context").asText(), expression.get("expression").asText()));
            }
            result.set("results", results);
        } catch (Throwable error) {
            result.put("error", error.getClass().getSimpleName() + ": " + error.getMessage());
        }
        return result;
    }

    static void walk(TreeElement element, ArrayNode nodes) {
        if (element.getMult() == TreeReference.INDEX_TEMPLATE) {
            return;
        }
        if (element.getNumChildren() == 0) {
            ObjectNode node = JSON.createObjectNode();
            node.put("path", element.getRef().toString(true));
            node.put("value", element.getValue() == null ? "" : element.getValue().uncast().getString());
            node.put("relevant", element.isRelevant());
            nodes.add(node);
            return;
        }
        for (int i = 0; i < element.getNumChildren(); i++) {
            walk(element.getChildAt(i), nodes);
        }
    }

    /** The element at a path such as /data/household[2]/age (1-based indexes, as XPath writes them). */
    static TreeReference reference(FormDef form, String path) {
        TreeElement element = form.getMainInstance().getRoot();
        String[] steps = path.substring(1).split("/");
        for (int s = 1; s < steps.length; s++) {
            String name = steps[s];
            int index = 1;
            int bracket = name.indexOf('[');
            if (bracket >= 0) {
                index = Integer.parseInt(name.substring(bracket + 1, name.length() - 1));
                name = name.substring(0, bracket);
            }
            element = element.getChild(name, index - 1);
            if (element == null) {
                throw new IllegalArgumentException("no element " + path);
            }
        }
        return element.getRef();
    }

    static ObjectNode evaluate(FormDef form, String context, String text) {
        ObjectNode result = JSON.createObjectNode();
        try {
            XPathExpression expression = XPathParseTool.parseXPath(text);
            EvaluationContext evaluation = new EvaluationContext(form.getEvaluationContext(), reference(form, context));
            Object value = expression.eval(form.getMainInstance(), evaluation);
            if (value instanceof XPathNodeset) {
                XPathNodeset nodeset = (XPathNodeset) value;
                ArrayNode values = JSON.createArrayNode();
                for (int i = 0; i < nodeset.size(); i++) {
                    Object one = nodeset.getValAt(i);
                    values.add(one == null ? "" : String.valueOf(one));
                }
                result.set("nodeset", values);
            } else if (value instanceof Double) {
                result.put("number", (Double) value);
            } else if (value instanceof Boolean) {
                result.put("boolean", (Boolean) value);
            } else if (value instanceof Date) {
                result.put("date", String.valueOf(value));
            } else {
                result.put("string", String.valueOf(value));
            }
        } catch (Throwable error) {
            result.put("error", error.getClass().getSimpleName() + ": " + error.getMessage());
        }
        return result;
    }
}
