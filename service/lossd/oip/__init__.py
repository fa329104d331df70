"""The Open Inference Protocol (KServe V2) over REST: its messages (`wire`), tensors (`tensors`) and the
mapping of an inference request onto a v1 computation (`infer`). The routes are lossd.http.oip."""
