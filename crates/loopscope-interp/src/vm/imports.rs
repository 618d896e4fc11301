//! `import` and `from ... import`: modules come from [`crate::modules`]
//! (native implementations of the standard library the simulated world
//! offers); each is made once per run and kept in `sys.modules`.

use std::rc::Rc;

use super::{ExcType, Vm};
use crate::value::{Module, PyResult, PyStr, Value};

impl Vm {
    /// `import name` (the top package unless `fromlist` is given) and
    /// `from name import ...` (the leaf module).
    pub fn import_module(
        &mut self,
        name: &str,
        fromlist: &Value,
        level: &Value,
    ) -> PyResult<Value> {
        if !matches!(level, Value::Int(0) | Value::None) {
            return Err(self.error(
                ExcType::ImportError,
                "attempted relative import with no known parent package",
            ));
        }
        let mut module = None;
        let mut path = String::new();
        let mut top = None;
        for part in name.split('.') {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(part);
            let m = self.load_module(&path)?;
            if let Some(parent) = &module {
                let parent: &Rc<Module> = parent;
                parent.dict.borrow_mut().set(part, Value::Module(m.clone()));
            }
            if top.is_none() {
                top = Some(m.clone());
            }
            module = Some(m);
        }
        let leaf = module.ok_or_else(|| self.error(ExcType::ValueError, "Empty module name"))?;
        let wants_leaf =
            !fromlist.is_none() && !matches!(fromlist, Value::Tuple(t) if t.items.is_empty());
        Ok(Value::Module(if wants_leaf {
            leaf
        } else {
            top.unwrap_or(leaf)
        }))
    }

    /// Keeps the `sys.modules` dict (made when `sys` was first imported)
    /// up to date with a module imported later.
    fn show_in_sys_modules(&mut self, name: &str, module: &Rc<Module>) {
        let Some(Value::Module(sys)) = self.modules.get("sys").cloned() else {
            return;
        };
        let modules = sys.dict.borrow().get("modules").cloned();
        if let Some(Value::Dict(modules)) = modules {
            modules.set_str(self, name, Value::Module(module.clone()));
        }
    }

    /// One module by its full dotted name, from `sys.modules` or made now.
    fn load_module(&mut self, name: &str) -> PyResult<Rc<Module>> {
        if let Some(Value::Module(m)) = self.modules.get(name) {
            return Ok(m.clone());
        }
        let registered = self
            .registered_modules
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, source)| *source);
        let made = match registered {
            Some(super::ModuleSource::Native(make)) => Some(make(self)),
            Some(super::ModuleSource::Python(source)) => {
                let module = self.exec_source_module(name, source)?;
                self.show_in_sys_modules(name, &module);
                return Ok(module);
            }
            None => crate::modules::load(self, name),
        };
        match made {
            Some(result) => {
                let module = result?;
                self.modules.set(name, Value::Module(module.clone()));
                self.show_in_sys_modules(name, &module);
                Ok(module)
            }
            None => {
                if crate::modules::is_outside_world(name) {
                    return Err(self.unsupported(format!(
                        "module '{name}': the simulated world has no files, processes or sockets"
                    )));
                }
                if crate::modules::is_standard_library(name) {
                    return Err(
                        self.unsupported(format!("module '{name}' is not available in Loopscope"))
                    );
                }
                let class = self.types.exception(ExcType::ModuleNotFoundError);
                let exc = self.new_exception(
                    &class,
                    vec![Value::string(format!("No module named '{name}'"))],
                );
                if let Value::Instance(i) = &exc {
                    i.dict.borrow_mut().set("name", Value::str(name));
                }
                Err(crate::value::Unwind::Exception(exc))
            }
        }
    }

    /// `from module import name`.
    pub fn import_from(&mut self, module: &Value, name: &Rc<PyStr>) -> PyResult<Value> {
        let Value::Module(m) = module else {
            return self.get_attr(module, name);
        };
        if let Some(v) = m.dict.borrow().get(name.as_str()) {
            return Ok(v.clone());
        }
        // A submodule not imported yet.
        let full = format!("{}.{}", m.name.as_str(), name.as_str());
        if crate::modules::exists(&full) || self.registered_modules.iter().any(|(n, _)| *n == full)
        {
            let sub = self.load_module(&full)?;
            m.dict
                .borrow_mut()
                .set(name.as_str(), Value::Module(sub.clone()));
            return Ok(Value::Module(sub));
        }
        let module_name = m.name.as_str().to_string();
        let class = self.types.exception(ExcType::ImportError);
        let exc = self.new_exception(
            &class,
            vec![Value::string(format!(
                "cannot import name '{}' from '{module_name}' (unknown location)",
                name.as_str()
            ))],
        );
        Err(crate::value::Unwind::Exception(exc))
    }

    /// `from module import *`: public names (or `__all__`).
    pub fn import_star(&mut self, module: &Value, namespace: &Rc<Module>) -> PyResult<()> {
        let Value::Module(m) = module else {
            return Err(self.type_error("import * needs a module"));
        };
        let all = m.dict.borrow().get("__all__").cloned();
        let names: Vec<Rc<PyStr>> = match all {
            Some(list) => self
                .collect(&list)?
                .into_iter()
                .filter_map(|v| match v {
                    Value::Str(s) => Some(s),
                    _ => None,
                })
                .collect(),
            None => m
                .dict
                .borrow()
                .keys()
                .into_iter()
                .filter(|k| !k.as_str().starts_with('_'))
                .collect(),
        };
        for name in names {
            let value = self.import_from(module, &name)?;
            namespace.dict.borrow_mut().insert(name, value);
        }
        Ok(())
    }
}
