"""What sbcd must do with a case's inputs, from the reference model.

sbcd's worker reads its ports in turns, a burst from each, so frames of different ports may
meet in any interleaving. The cases are built so that this cannot change the outcome, and
this module checks that they are: it runs the model with every port's frames first, in each
order, and insists on one answer.
"""

from dataclasses import dataclass

from reference_model import ReferenceModel, Relayed


class OrderDependentCase(Exception):
    """The case's outcome depends on how sbcd interleaves its ports: a fault of the case."""


@dataclass
class Expectation:
    model: ReferenceModel  # its totals and flows after all inputs
    outputs: dict  # interface name -> [Relayed], in the order they must leave


def expect(case):
    names = [i.name for i in case.lab.interfaces]
    answers = [_run(case, order) for order in (names, names[::-1])]
    first, second = answers
    if _summary(first) != _summary(second):
        raise OrderDependentCase("the model's outcome depends on which port sbcd reads first")
    return first


def _run(case, order):
    model = ReferenceModel(case.lab)
    outputs = {i.name: [] for i in case.lab.interfaces}
    for name in order:
        for record in case.inputs.get(name, []):
            verdict = model.receive(name, record.data)
            if isinstance(verdict, Relayed):
                outputs[verdict.egress].append(verdict)
    return Expectation(model, outputs)


def _summary(expectation):
    flows = sorted((key, f.latched, f.packets, f.source_drops, f.destination.peer, f.destination.mac)
                   for key, f in expectation.model.flows.items())
    frames = {name: [(r.frame, r.rtcp) for r in relayed] for name, relayed in expectation.outputs.items()}
    return frames, expectation.model.totals, str(flows)
