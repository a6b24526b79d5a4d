"""From model results to Trace records and verdicts (no model needed)."""

from factory.backends.base import Generation, RequestFailed, Sample
from factory.models.annotate import teacher_request, teacher_traces
from factory.stages import generate_shard, verify_trace
from schemas.config import BuildConfig, TeacherConfig

TEACHER = TeacherConfig(backend="openai", model="m", endpoints=["http://127.0.0.1:1/v1"])


def a_problem():
    config = BuildConfig.model_validate(
        {"name": "t", "tasks": [{"task": "knights_knaves", "count": 1}]}
    )
    return generate_shard(config, config.tasks[0], 0)[0]


def test_samples_become_traces_with_thinking_and_answer_split():
    problem = a_problem()
    request = teacher_request(problem, TEACHER, 0)
    right = f"<think>cases...</think>So: <answer>{problem.answer}</answer>"
    result = Generation(
        samples=(
            Sample(text=right, finish_reason="stop", num_tokens=12),
            Sample(text="<think>still going", finish_reason="length", num_tokens=40),
        ),
        prompt_tokens=90,
    )
    good, cut = teacher_traces(problem, request, result, "m", "openai:m@default")
    assert (good.thinking, good.answer, good.num_tokens) == ("cases...", problem.answer, 12)
    assert good.prompt_tokens == 90 and good.params == request.params.model_dump(mode="json")
    assert cut.answer is None and cut.finish_reason == "length"
    assert verify_trace(problem, good).passed
    assert not verify_trace(problem, cut).passed
    assert good.trace_id != cut.trace_id


def test_a_failed_request_is_recorded_as_n_failed_traces():
    problem = a_problem()
    teacher = TEACHER.model_copy(update={"sampling": TEACHER.sampling.model_copy(update={"n": 3})})
    request = teacher_request(problem, teacher, 0)
    traces = teacher_traces(
        problem, request, RequestFailed(error="malformed body"), "m", "openai:m@default"
    )
    assert [t.sample_index for t in traces] == [0, 1, 2]
    assert all(t.finish_reason == "error" and t.error == "malformed body" for t in traces)
    verdict = verify_trace(problem, traces[0])
    assert not verdict.passed and verdict.reason == "request failed: malformed body"


def test_request_seeds_follow_the_problem_not_the_position():
    problem = a_problem()
    seeded = TEACHER.model_copy(
        update={"sampling": TEACHER.sampling.model_copy(update={"seed": 9})}
    )
    assert teacher_request(problem, TEACHER, 0) == teacher_request(problem, TEACHER, 0)
    assert (
        teacher_request(problem, TEACHER, 1).params.seed
        != teacher_request(problem, TEACHER, 0).params.seed
    )
    assert teacher_request(problem, seeded, 0) == teacher_request(problem, seeded, 1)


def test_system_prompt_and_plain_prompt_shapes():
    problem = a_problem()
    chat = teacher_request(problem, TEACHER.model_copy(update={"system_prompt": "S"}), 0)
    assert [m.role for m in chat.messages] == ["system", "user"]
    assert chat.messages[1].content == problem.prompt
    plain = teacher_request(
        problem, TEACHER.model_copy(update={"chat": False, "system_prompt": "S"}), 0
    )
    assert plain.messages is None and plain.prompt == "S\n\n" + problem.prompt
