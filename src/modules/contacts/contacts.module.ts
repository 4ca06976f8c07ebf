import type { AppModule } from '../../platform/app-module';
import { ContactGroupMember } from './contact-group-member.entity';
import { ContactGroup } from './contact-group.entity';
import { ContactGroupResolver } from './contact-group.resolver';
import { Contact } from './contact.entity';
import { ContactResolver } from './contact.resolver';

export { Contact } from './contact.entity';
export { ContactType } from './contact.types';
export { contactByIdLoader } from './contact.loaders';
export { ContactEventType, contactPayloadSql } from './contact.events';
export { nationalPhone, normalizePhone, tenantDefaultCountry } from './phone-number';

/** Contacts and their groups, referenced tables first. */
export const contactsEntities = [Contact, ContactGroup, ContactGroupMember];

/** Customers (people we chat with) and groups of them. */
export function createContactsModule(): AppModule {
  return {
    name: 'contacts',
    resolvers: [new ContactResolver(), new ContactGroupResolver()],
    routes: [],
    jobs: [],
    eventConsumers: [],
  };
}
